/*
 * media.h — the media engine of the PROCESSING stage (FFmpeg libraries).
 *
 * probe.c describes a file; silence.c finds the pauses in its audio;
 * plan.c turns pauses into a cut plan and keeps the source <-> output time
 * map; cut.c writes the cut MP4 (smart cut or full re-encode); audio.c
 * writes 16 kHz mono FLAC chunks for transcription; slides.c finds slide
 * changes; thumb.c picks thumbnails and draws a title on one; visual.c
 * tells pauses with new content on screen from still ones; open.c is the
 * one door every file is opened through.  All
 * times are int64_t milliseconds on the *source timeline* (0 = the
 * container's start) unless a name says "out".
 */
#ifndef ZPUB_MEDIA_H
#define ZPUB_MEDIA_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "err.h"


/* ---- open.c ----------------------------------------------------------- */

struct AVFormatContext;

/* Opens path with FFmpeg as media, the only way zpub does: through the file
 * protocol alone, and only when the detected container is a plain media
 * one (MP4/MOV, MKV/WebM, AVI, MPEG-TS, FLV, ASF, WAV, AIFF, CAF, MP3, AAC,
 * FLAC, Ogg).  Playlists and scripts (HLS, concat, DASH, image sequences)
 * fail with ZPUB_EMEDIA and a sentence naming the format; so do empty,
 * truncated and non-media files.  Then reads the stream info. */
int media_open_input(const char *path, struct AVFormatContext **out, struct zpub_err *err);

/* ---- probe.c ---------------------------------------------------------- */

/* Sets FFmpeg's own logging: silent unless verbose (zpub reports errors
 * itself, with av_strerror in its sentences).  FFmpeg's log
 * level is process-wide, so the front end calls this once at start. */
void media_log_init(int verbose);

struct media_info {
	char container[64];        /* "mov,mp4,m4a,3gp,3g2,mj2" */
	int64_t duration_ms;       /* of the whole container */
	int64_t start_ms;          /* container start in its own clock (origin) */

	int video_index;           /* -1 if none */
	char video_codec[32];
	int width, height;
	double fps;                /* average */
	int vfr;                   /* 1 if frame durations vary */
	int has_bframes;           /* reordering (B-frames) present */
	int64_t video_start_ms;    /* relative to start_ms */
	int64_t *keyframes_ms;     /* relative to start_ms, ascending */
	size_t n_keyframes;
	int64_t *frames_ms;        /* every frame's time (decode order = */
	size_t n_frames;           /* presentation order without B-frames) */
	int64_t *ends_ms;          /* with B-frames: where a copy of the stream */
	size_t n_ends;             /* can end (ascending; see probe.c) */

	int audio_index;           /* -1 if none */
	char audio_codec[32];
	int sample_rate, channels;
	int64_t audio_start_ms;    /* relative to start_ms: late audio is kept */
	int64_t audio_duration_ms;
	/* -1, or where the audio the file holds stops because the file ends
	 * before its own index does (a copy or download cut short); only
	 * known for indexed containers (MP4/MOV). */
	int64_t audio_cut_ms;
};

/* Audio stopping this much before the container says is a truncated file
 * (probe's index check and the silence analysis use the same bound). */
#define MEDIA_TRUNCATED_MS 2000

/* Opens path and describes it.  Fails with ZPUB_EMEDIA and a sentence for
 * files that are empty, truncated or not media. */
int media_probe(const char *path, struct media_info **out, struct zpub_err *err);
void media_info_free(struct media_info *mi);
/* {"container":..., "duration_ms":..., "video":{...}, "audio":{...}} */
cJSON *media_info_to_json(const struct media_info *mi);

/* ---- spans (silence.c, plan.c) ---------------------------------------- */

struct media_span {
	int64_t start_ms, end_ms;   /* [start, end) */
};

struct media_spans {
	struct media_span *v;
	size_t n, cap;
};

void media_spans_push(struct media_spans *s, int64_t start_ms, int64_t end_ms);
void media_spans_clear(struct media_spans *s);   /* frees v */
cJSON *media_spans_to_json(const struct media_spans *s);
/* a less b (both sorted and disjoint) into *out: the pauses the plan may
 * shorten are the silences less the visual stretches. */
void media_spans_subtract(const struct media_spans *a, const struct media_spans *b,
    struct media_spans *out);

/* ---- silence.c -------------------------------------------------------- */

enum media_silence_mode {
	MEDIA_SILENCE_ADAPTIVE,    /* threshold_db where it separates the recording's
	                            * speech from its noise, else per recording (vad.c) */
	MEDIA_SILENCE_THRESHOLD,   /* threshold_db as it is */
};

struct media_silence_opts {
	double threshold_db;       /* RMS level below this (dBFS) is silence */
	int64_t window_ms;         /* RMS window, 10..50 */
	int64_t min_silence_ms;    /* shorter quiet runs are speech */
	enum media_silence_mode mode;
};

/* Fills opts from "processing.video.*" of cfg (defaults when absent). */
void media_silence_opts_from_config(struct media_silence_opts *o, const cJSON *cfg);

/* Decodes only the audio of path and appends every silence of at least
 * min_silence_ms to *silences (source timeline, raw acoustic boundaries: no
 * margins).  Time before the audio starts and after it ends counts as
 * silence.  Memory: one float per window in adaptive mode (1.4 MB an hour
 * at 10 ms), else constant.  *duration_ms gets the container's duration. */
int media_silence_analyse(const char *path, const struct media_silence_opts *o,
    const struct zpub_progress *prog, struct media_spans *silences,
    int64_t *duration_ms, struct zpub_err *err);

/* ---- visual.c --------------------------------------------------------- */

struct media_visual_opts {
	int enabled;               /* processing.video.keep_visual_pauses */
	double min_area;           /* share of the frame new content must cover */
	int64_t hold_ms;           /* kept after each change of the content */
	int64_t min_pause_ms;      /* only pauses longer than this are looked at */
};

/* Fills o from "processing.video.*" of cfg: on unless keep_visual_pauses
 * or remove_silence is false; min_pause_ms is max_pause_ms. */
void media_visual_opts_from_config(struct media_visual_opts *o, const cJSON *cfg);

/* The stretches of the pauses in silences during which new content appears
 * in the picture of path (writing accumulates, a slide changes), each from
 * a moment before a change to hold_ms after it, in order, appended to
 * *content.  Looks only inside pauses between speech longer than
 * min_pause_ms, at a few tiny grey frames a second, and decodes only the
 * pauses whose packets show a change at all.  A file without video, or
 * o->enabled 0, has none. */
int media_visual_analyse(const char *path, const struct media_spans *silences,
    int64_t duration_ms, const struct media_visual_opts *o,
    const struct zpub_progress *prog, struct media_spans *content, struct zpub_err *err);
/* The silences as media_spans_to_json writes them, each with "visual":
 * true when content stretches overlap it. */
cJSON *media_visual_to_json(const struct media_spans *silences,
    const struct media_spans *content);
/* The decision on one pause, pure: n grey pictures of w*h bytes each
 * (pics[k * w * h]) taken at at_ms[k], ascending.  Appends the stretches
 * with new content (within [at_ms[0], at_ms[n-1] + hold_ms)) to *content;
 * returns how many it appended (0: a still pause, or only a small region
 * moving about). */
size_t media_visual_decide(const uint8_t *pics, const int64_t *at_ms, size_t n, int w,
    int h, const struct media_visual_opts *o, struct media_spans *content);

/* ---- loudness.c ------------------------------------------------------- */

/* EBU R128 / ITU-R BS.1770: the published audio's true peak stays at or
 * below this, and a measured loudness this close to the target is left. */
#define MEDIA_TRUE_PEAK_DBTP -1.0
#define MEDIA_LOUDNESS_TOLERANCE_LU 0.5

struct media_loudness {
	int measured;              /* 0: no audio above the -70 LUFS gate */
	double integrated_lufs;
	double true_peak_dbtp;
};

/* processing.audio.loudness_lufs: 1 with *lufs the target (default -16,
 * held to -40..-5), or 0 when it is null (leave the level as recorded). */
int media_loudness_target_from_config(const cJSON *cfg, double *lufs);
/* The gain that brings m to target_lufs (0 when nothing was measured). */
double media_loudness_gain_db(const struct media_loudness *m, double target_lufs);
/* 1 when applying gain_db (with the true-peak limit) changes the audio. */
int media_loudness_needs_change(const struct media_loudness *m, double gain_db);
/* Limiting the peaks takes some loudness back: runs the cut's audio of
 * path along tm through the gain and the limiter at *gain_db and 3 dB
 * more, measures both and moves *gain_db to where the line through them
 * meets target_lufs.  One more decode of the audio: worth it only when the
 * limiter will act (true peak + gain above the limit). */
struct media_timemap;
int media_loudness_fit(const char *path, const struct media_timemap *tm,
    double target_lufs, double *gain_db, struct zpub_err *err);
/* The gain where the line through (gain_db, lufs) and (gain_db + step_db,
 * lufs_step) reaches target_lufs, its slope held to 0.2..1.  Pure. */
double media_loudness_secant(double gain_db, double lufs, double step_db, double lufs_step,
    double target_lufs);
/* {"integrated_lufs":..,"true_peak_dbtp":..} (nulls when not measured). */
cJSON *media_loudness_to_json(const struct media_loudness *m);

/* silence.c: media_silence_analyse, also measuring the loudness into
 * *loud (when not NULL) from the same decode. */
int media_audio_analyse(const char *path, const struct media_silence_opts *o,
    const struct zpub_progress *prog, struct media_spans *silences,
    int64_t *duration_ms, struct media_loudness *loud, struct zpub_err *err);

/* ---- plan.c ----------------------------------------------------------- */

struct media_plan_opts {
	int remove_silence;        /* 0: identity plan */
	int trim_head, trim_tail;
	int64_t margin_before_ms;  /* kept before speech starts */
	int64_t margin_after_ms;   /* kept after speech ends */
	int64_t max_pause_ms;      /* longer pauses are shortened ... */
	int64_t keep_pause_ms;     /* ... down to this */
	/* Smart cut only: a kept part may start up to this much earlier
	 * (keeping a longer pause, never more than max_pause_ms) when that
	 * puts its start on a keyframe, where a cut costs nothing.  0 = off. */
	int64_t keyframe_slack_ms;
};

void media_plan_opts_from_config(struct media_plan_opts *o, const cJSON *cfg);

/* An editor's decision about a stretch of the source: a keep range is
 * never cut (a question the analysis took for silence), a remove range is
 * always cut.  origin: the caller's index of where the range came from. */
struct media_override {
	int64_t start_ms, end_ms;
	int keep;
	size_t origin;
};

/* Overrides in the order they were made (oldest first) -> sorted,
 * disjoint ranges where, wherever two overlap, the newer one wins;
 * adjacent pieces of one kind are joined (keeping the newer origin).
 * *out is malloc'd (NULL when n_out is 0). */
void media_overrides_resolve(const struct media_override *in, size_t n,
    struct media_override **out, size_t *n_out);

/* One kept piece: source [src_start, src_end) plays at out_start. */
struct media_seg {
	int64_t src_start_ms, src_end_ms, out_start_ms;
};

struct media_timemap {
	struct media_seg *seg;
	size_t n;
	int64_t src_duration_ms, out_duration_ms;
};

/* Builds the kept segments from the silences of a file of duration_ms:
 * trims the head/tail, shortens long pauses, never cuts inside speech. */
int media_plan_build(int64_t duration_ms, const struct media_spans *silences,
    const struct media_plan_opts *o, struct media_timemap *out,
    struct zpub_err *err);
/* The same with an editor's overrides (sorted, disjoint), which win over
 * the silences: nothing of a keep range is cut, all of a remove range is. */
int media_plan_build_with(int64_t duration_ms, const struct media_spans *silences,
    const struct media_plan_opts *o, const struct media_override *ov, size_t n_ov,
    struct media_timemap *out, struct zpub_err *err);
void media_timemap_clear(struct media_timemap *tm);
/* Moves every cut onto the video's frame grid (frames_ms ascending): a
 * segment starts at the frame shown at its start and ends at the next
 * frame boundary, so kept parts only grow (speech is never clipped) and
 * no output frame is a sliver.  Merges segments that come to touch. */
void media_timemap_snap(struct media_timemap *tm, const int64_t *frames_ms, size_t n);
/* Moves each kept part's start back onto a keyframe when one lies within
 * slack_ms before it and after the previous part's end (see
 * keyframe_slack_ms).  keyframes_ms ascending. */
void media_timemap_prefer_keyframes(struct media_timemap *tm,
    const int64_t *keyframes_ms, size_t n, int64_t slack_ms);
/* Moves each kept part's end forward onto the first of ends_ms (where a
 * copy of a stream with B-frames can end) when one lies within slack_ms
 * after it and before the next part: kept parts only grow, and the cut
 * needs no re-encoded piece before it. */
void media_timemap_prefer_ends(struct media_timemap *tm, const int64_t *ends_ms, size_t n,
    int64_t slack_ms);
/* The plan as it will be cut: keyframes preferred (when o asks), then
 * snapped to the frame grid, then copy ends preferred (when o asks).
 * Leaves an identity map alone. */
void media_plan_fit(struct media_timemap *tm, const struct media_info *mi,
    const struct media_plan_opts *o);
/* The same, never moving a kept part into an editor's remove range. */
void media_plan_fit_with(struct media_timemap *tm, const struct media_info *mi,
    const struct media_plan_opts *o, const struct media_override *ov, size_t n_ov);
/* 1 when the map keeps the whole source unchanged. */
int media_timemap_is_identity(const struct media_timemap *tm);
/* Source -> output.  A time inside a cut maps to the cut point; before 0 to
 * 0; past the end to out_duration_ms. */
int64_t media_timemap_to_output(const struct media_timemap *tm, int64_t src_ms);
/* Output -> source (the inverse on kept parts; clamps outside). */
int64_t media_timemap_to_source(const struct media_timemap *tm, int64_t out_ms);
/* {"version":1,"source_duration_ms","output_duration_ms",
 *  "segments":[{"src_start_ms","src_end_ms","out_start_ms"}...]} */
cJSON *media_timemap_to_json(const struct media_timemap *tm);
int media_timemap_from_json(const cJSON *j, struct media_timemap *tm,
    struct zpub_err *err);

/* Why a stretch of the source is kept or cut. */
enum media_why {
	MEDIA_WHY_SPEECH,          /* kept by the analysis */
	MEDIA_WHY_KEEP,            /* kept by the editor's keep range */
	MEDIA_WHY_SILENCE,         /* a long pause, shortened */
	MEDIA_WHY_HEAD,            /* silence before the talk starts */
	MEDIA_WHY_TAIL,            /* silence after it ends */
	MEDIA_WHY_REMOVE,          /* cut by the editor's remove range */
};

struct media_stretch {
	int64_t start_ms, end_ms;  /* source timeline */
	int kept;
	enum media_why why;
};

/* "speech", "your keep", "silence", "head", "tail", "your remove". */
const char *media_why_name(enum media_why w);
/* The whole source as kept and cut stretches, in order, each with its
 * reason (from tm and the overrides it was planned with).  *out malloc'd. */
void media_plan_stretches(const struct media_timemap *tm, const struct media_override *ov,
    size_t n_ov, struct media_stretch **out, size_t *n);
/* Source stretches new_map keeps and old_map does not (restored by a
 * re-cut), each at least min_ms long, in order, appended to out. */
void media_timemap_new_spans(const struct media_timemap *old_map,
    const struct media_timemap *new_map, int64_t min_ms, struct media_spans *out);

/* The core of `zpub analyse`: probe + silences + plan as JSON
 * {duration_ms, silences, speech, keep, cut, output_duration_ms,
 * loudness: {integrated_lufs, true_peak_dbtp}, ...}. */
int media_analyse_json(const char *file, const struct media_silence_opts *so,
    const struct media_plan_opts *po, const struct zpub_progress *prog,
    cJSON **out, struct zpub_err *err);
/* The same, not shortening the pauses vo finds visual (NULL: none), and
 * marking each silence "visual": true|false. */
int media_analyse_json_visual(const char *file, const struct media_silence_opts *so,
    const struct media_plan_opts *po, const struct media_visual_opts *vo,
    const struct zpub_progress *prog, cJSON **out, struct zpub_err *err);

/* ---- cut.c ------------------------------------------------------------ */

enum media_cut_strategy {
	MEDIA_CUT_SMART,           /* copy whole GOPs, re-encode at cut points */
	MEDIA_CUT_REENCODE,        /* decode and encode everything (libx264) */
};

struct media_cut_opts {
	enum media_cut_strategy strategy;
	int crf;
	const char *preset;        /* libx264 preset */
	const char *piece_preset;  /* for smart cut's re-encoded pieces: a few
	                              seconds after each cut, so speed matters
	                              more than the last bit of quality */
	/* Loudness (loudness.c): with loudness_on the audio is multiplied
	 * by gain_db and its true peak held to MEDIA_TRUE_PEAK_DBTP. */
	int loudness_on;
	double gain_db;
};

void media_cut_opts_from_config(struct media_cut_opts *o, const cJSON *cfg);

struct media_cut_report {
	enum media_cut_strategy used;
	double copied_s;           /* video seconds copied untouched */
	double reencoded_s;        /* video seconds decoded and encoded */
	int64_t copied_frames;     /* video frames copied untouched */
	int64_t duration_ms;       /* of the output */
	double limited_s;          /* audio the true-peak limiter turned down */
	char note[256];            /* why smart cut fell back, if it did */
};

/* Writes the kept segments of in as an MP4 at out (written in place: the
 * caller passes a .tmp name and renames).  H.264 + AAC. */
int media_cut(const char *in, const char *out, const struct media_timemap *tm,
    const struct media_cut_opts *o, const struct zpub_progress *prog,
    struct media_cut_report *rep, struct zpub_err *err);

/* ---- audio.c ---------------------------------------------------------- */

struct media_audio_opts {
	int sample_rate;           /* 16000 */
	int64_t chunk_max_ms;
	int64_t chunk_max_bytes;
};

void media_audio_opts_from_config(struct media_audio_opts *o, const cJSON *cfg);

struct media_audio_chunk {
	char *path;                /* dir/audio_NNN.flac */
	int64_t offset_ms;         /* on the output timeline */
	int64_t duration_ms;
	int64_t bytes;
};

/* Chooses chunk boundaries on the output timeline: in the middle of kept
 * pauses where possible, so no chunk ends mid-word.  Pure; unit-tested.
 * bounds receives n+1 increasing times from 0 to out_duration_ms. */
int media_audio_chunk_bounds(const struct media_timemap *tm,
    const struct media_spans *silences, int64_t max_ms, struct media_spans *chunks,
    struct zpub_err *err);

/* Decodes the audio of in along the time map and writes 16 kHz mono FLAC
 * chunks into dir (each via .tmp + rename). */
int media_audio_export(const char *in, const char *dir,
    const struct media_timemap *tm, const struct media_spans *silences,
    const struct media_audio_opts *o, const struct zpub_progress *prog,
    struct media_audio_chunk **chunks, size_t *n_chunks, struct zpub_err *err);
void media_audio_chunks_free(struct media_audio_chunk *c, size_t n);

/* ---- slides.c --------------------------------------------------------- */

struct media_slide {
	int64_t at_ms;             /* source timeline: the new picture's first frame */
	double change;             /* share of the picture that changed (0: guessed
	                              from packet sizes in a long GOP) */
};

struct media_slides {
	struct media_slide *v;
	size_t n, cap;
};

void media_slides_push(struct media_slides *s, int64_t at_ms, double change);
void media_slides_clear(struct media_slides *s);   /* frees v */

/* Appends the slide changes of path's video to *out, in time order, at
 * least a second apart: keyframes decoded to a small grey picture and
 * compared (and packet sizes in long GOPs); see slides.c. */
int media_slides_detect(const char *path, const struct zpub_progress *prog,
    struct media_slides *out, struct zpub_err *err);

/* ---- thumb.c ---------------------------------------------------------- */

struct media_thumb {
	char *path;                /* dir/thumb_N.jpg */
	int64_t at_ms;             /* position in the video it was taken from */
	double score;              /* higher is better; see thumb.c */
	int chosen;
};

/* Takes count candidate frames of video and writes them as JPEGs scaled to
 * width.  With two or more slide starts (slides_ms: on video's timeline,
 * ascending, the first one the title slide), one frame of each of count
 * distinct slides, spread over them, the title slide first and chosen;
 * else frames spread evenly over the video, black/blank ones skipped, the
 * best one chosen. */
int media_thumbnails(const char *video, const char *dir, int count, int width,
    const int64_t *slides_ms, size_t n_slides, const struct zpub_progress *prog,
    struct media_thumb **out, size_t *n_out, struct zpub_err *err);

/* How a title is drawn on a thumbnail (libavfilter's drawtext). */
struct media_overlay {
	const char *font;          /* a font family fontconfig finds: "DejaVu Sans" */
	int size;                  /* font size in pixels */
	const char *color;         /* FFmpeg colours: "white", "#ffcc00@0.9" */
	const char *box_color;     /* "" or NULL: no box */
	const char *position;      /* "top", "center" or "bottom" */
};

/* Fills o from "processing.thumbnails.overlay.*" of cfg; returns whether
 * the overlay is enabled. */
int media_overlay_from_config(struct media_overlay *o, const cJSON *cfg);
/* Draws title on the image in (any picture FFmpeg decodes: a JPEG
 * thumbnail) and writes the result as a JPEG to out (atomically).
 * ZPUB_ENOTFOUND when fontconfig finds no font for o->font. */
int media_overlay_draw(const char *in, const char *out, const char *title,
    const struct media_overlay *o, struct zpub_err *err);

/* Reads a picture the user supplies (a JPEG, PNG, WebP or BMP file of at
 * most max_bytes, at most 8192 pixels a side), refusing anything else,
 * and writes it as a JPEG scaled to width at out (atomically). */
int media_image_import(const char *in, const char *out, int width, int64_t max_bytes,
    struct zpub_err *err);
void media_thumbs_free(struct media_thumb *t, size_t n);

#endif
