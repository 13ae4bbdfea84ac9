/*
 * ai.h — transcripts, topics, subtitles and descriptions.
 *
 * One header for the ai/ module: the data types that travel between its
 * parts (a transcript with word timings, a topic list, a subtitle track), the
 * pure functions that lay out subtitles and render descriptions, the engines
 * (offline PocketSphinx and extractive topics; OpenAI-compatible transcription
 * and chat) and the pipeline stage that ties them together.  Times are int64
 * milliseconds; text is UTF-8 and lengths count characters, not bytes.
 */
#ifndef ZPUB_AI_H
#define ZPUB_AI_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "err.h"


/* ---- transcript (transcript.json) ------------------------------------- */

struct tr_word {
	char *w;             /* may carry punctuation (" Hello," from Whisper) */
	int64_t start_ms, end_ms;
};

struct tr_segment {
	char *text;
	int64_t start_ms, end_ms;
};

struct transcript {
	char engine[32];     /* "pocketsphinx", "openai-compatible" */
	char language[16];   /* "en", "ru", "" when unknown; always lang_code_ok or "" */
	char language_refused[40]; /* a language named that is no language code
	                            * (shown with term_escape; never saved) */
	char timeline[16];   /* "output" or "source" */
	int64_t duration_ms;
	struct tr_word *words;
	size_t n_words, cap_words;
	struct tr_segment *segs;
	size_t n_segs, cap_segs;
};

/* A language that is not a language code (lang_code_ok) leaves language ""
 * and is kept, for a warning, in language_refused: it never reaches a path. */
struct transcript *tr_new(const char *engine, const char *language);
void tr_free(struct transcript *t);
void tr_add_word(struct transcript *t, const char *w, int64_t start_ms, int64_t end_ms);
void tr_add_segment(struct transcript *t, const char *text, int64_t start_ms, int64_t end_ms);
/* Sorts words and segments by start time. */
void tr_sort(struct transcript *t);
/* Builds segments from the words (sentence ends, pauses >= 1.5 s, <= 30 s)
 * when the engine gave none. */
void tr_segments_from_words(struct transcript *t);
/* Appends src's words and segments shifted by offset_ms. */
void tr_append(struct transcript *dst, const struct transcript *src, int64_t offset_ms);
/* All words joined by single spaces (malloc'd). */
char *tr_text(const struct transcript *t);

char *tr_to_json(const struct transcript *t);
int tr_from_json(const char *json, struct transcript **out, struct zpub_err *err);
int tr_load(const char *path, struct transcript **out, struct zpub_err *err);
int tr_save(const struct transcript *t, const char *path, struct zpub_err *err);

/* A time map: the kept pieces of the source, in output order. */
struct tr_map_piece {
	int64_t src_start_ms, src_end_ms, out_start_ms;
};
struct tr_time_map {
	struct tr_map_piece *pieces;
	size_t n;
};
/* Reads the media stage's time_map JSON (several spellings accepted). */
int tr_time_map_parse(const char *json, struct tr_time_map *out, struct zpub_err *err);
void tr_time_map_clear(struct tr_time_map *m);
/* Source time -> output time; -1 when the instant was cut away. */
int64_t tr_time_map_apply(const struct tr_time_map *m, int64_t src_ms);
/* Moves a source-timeline transcript to the output timeline: words in cut
 * parts are dropped, the rest shifted. */
int tr_to_output_timeline(struct transcript *t, const struct tr_time_map *m);

/* Word error rate of hyp against ref (case and punctuation ignored), 0..n. */
double tr_wer(const char *ref, const char *hyp);

/* ---- subtitles (subtitles.c) ------------------------------------------- */

struct subs_rules {
	int max_line_chars;      /* 42; 39 for Russian */
	int max_lines;           /* 2 */
	int64_t min_cue_ms;      /* 830 */
	int64_t max_cue_ms;      /* 7000 */
	double max_cps;          /* 17 */
	int64_t min_gap_ms;      /* 80 */
	int64_t pause_split_ms;  /* a pause this long always ends a cue: 700 */
};

struct subs_cue {
	int64_t start_ms, end_ms;
	char *text;              /* lines joined by '\n' */
};

struct subs_track {
	struct subs_cue *cues;
	size_t n, cap;
};

/* Defaults for a language ("ru" gets 39 characters a line). */
void subs_rules_default(struct subs_rules *r, const char *lang);
/* Defaults overlaid with processing.subtitles.* from the config. */
void subs_rules_from_config(struct subs_rules *r, const cJSON *cfg, const char *lang);

void subs_track_free(struct subs_track *t);
/* Appends a cue; takes ownership of text (freed on failure). */
void subs_track_add(struct subs_track *t, int64_t start_ms, int64_t end_ms, char *text);
/* Lays out the transcript's words as cues obeying the rules. */
int subs_build(const struct transcript *t, const struct subs_rules *r,
    struct subs_track **out, struct zpub_err *err);
/* Splits a text into at most r->max_lines lines (joined by '\n'); NULL when
 * it does not fit.  Breaks after punctuation or before conjunctions when it
 * can, never inside a word. */
char *subs_wrap(const char *text, const struct subs_rules *r);

char *subs_write_srt(const struct subs_track *t);
char *subs_write_vtt(const struct subs_track *t);
/* Strict parsers; they reject what a picky player would. */
int subs_parse_srt(const char *text, struct subs_track **out, struct zpub_err *err);
int subs_parse_vtt(const char *text, struct subs_track **out, struct zpub_err *err);

struct subs_report {
	int too_short;     /* cues shorter than min_cue_ms */
	int too_long;      /* cues longer than max_cue_ms */
	int too_fast;      /* cues over max_cps */
};
/* Hard rules (order, no overlap, gap, line count and length, a duration)
 * fail with ZPUB_EINVAL; soft ones (duration range, reading speed) are
 * counted in rep (may be NULL). */
int subs_check(const struct subs_track *t, const struct subs_rules *r,
    struct subs_report *rep, struct zpub_err *err);
/* The same for cue i alone (against the cue before it); soft (may be NULL)
 * gets the soft rules it breaks. */
enum { SUBS_SHORT = 1, SUBS_LONG = 2, SUBS_FAST = 4 };
int subs_cue_check(const struct subs_track *t, size_t i, const struct subs_rules *r,
    unsigned *soft, struct zpub_err *err);

/* ---- the subtitle editor's operations (subtitles_edit.c) ----------------
 * Each changes nothing and says why in err (ZPUB_EINVAL) when the result
 * would break a hard rule. */

/* A deep copy (the editor's undo keeps these). */
struct subs_track *subs_track_copy(const struct subs_track *t);
/* Gives cue i new times, checked against its neighbours. */
int subs_cue_set_times(struct subs_track *t, size_t i, int64_t start_ms, int64_t end_ms,
    const struct subs_rules *r, struct zpub_err *err);
/* Where a cue from start_ms to end_ms splits when left_chars of its
 * left_chars + right_chars characters go first: the time divided by the
 * text's share. */
int64_t subs_split_at_ms(int64_t start_ms, int64_t end_ms, size_t left_chars,
    size_t right_chars);
/* Splits cue i before its at_char-th character (of its text with lines
 * joined by spaces) into two cues, each laid out again; the first ends
 * min_gap_ms / 2 before the split time, the second starts after the gap. */
int subs_cue_split(struct subs_track *t, size_t i, size_t at_char, const struct subs_rules *r,
    struct zpub_err *err);
/* Merges cue i with cue i + 1 (text laid out again, from the first's start
 * to the second's end). */
int subs_cue_merge(struct subs_track *t, size_t i, const struct subs_rules *r,
    struct zpub_err *err);

/* ---- topics (topics.c) ---------------------------------------------------- */

enum topic_level { TOPIC_MAIN = 0, TOPIC_DETAIL = 1 };

struct topic {
	int64_t start_ms;
	enum topic_level level;
	char *title;
};

struct topic_break {
	int64_t start_ms, end_ms;
};

struct topics {
	struct topic *v;
	size_t n, cap;
	struct topic_break *breaks;
	size_t n_breaks, cap_breaks;
	int repaired;               /* flag "repaired" */
	char engine[32];
	char *summary;              /* optional "summary" (2-3 sentences) */
};

#define TOPICS_MAX_TITLE_CHARS 80

struct topics *topics_new(void);
void topics_free(struct topics *t);
void topics_add(struct topics *t, int64_t start_ms, enum topic_level level, const char *title);
void topics_add_break(struct topics *t, int64_t start_ms, int64_t end_ms);
char *topics_to_json(const struct topics *t);
/* Reads {"topics":[...],"breaks":[...],"flags":[...]} loosely (for repair);
 * missing fields become invalid values that topics_validate reports. */
int topics_from_json(const char *json, struct topics **out, struct zpub_err *err);
/* 0 when valid: at least one topic, the first main, start times ascending
 * and inside [0, duration_ms), titles non-empty and <= 80 characters, breaks
 * inside the duration.  Otherwise ZPUB_EINVAL with what is wrong. */
int topics_validate(const struct topics *t, int64_t duration_ms, struct zpub_err *err);
/* Sorts, clamps, drops what cannot be fixed, shortens titles, sets repaired. */
void topics_repair(struct topics *t, int64_t duration_ms);

/* Moves each topic but one at 0 onto the nearest slide change of at_ms
 * (ascending, the same timeline) within within_ms of it, unless that would
 * reach or pass a neighbouring topic.  Returns how many moved.  Pure. */
size_t topics_snap(struct topics *t, const int64_t *at_ms, size_t n, int64_t within_ms);

struct topics_opts {
	int64_t min_topic_ms;       /* shortest main topic: 60000 */
	int64_t min_detail_ms;      /* shortest detail topic: 20000 */
	const char *language;       /* "en", "ru" or NULL to guess */
};

/* Offline: TextTiling-style segmentation and keyword titles. */
int topics_extractive(const struct transcript *t, const struct topics_opts *o,
    struct topics **out, struct zpub_err *err);

/* ---- chapter lines (chapters.c) ------------------------------------------- */

/* The version as an editor reads it: "HH:MM:SS Title" a line, detail topics
 * indented by two spaces.  Never NULL. */
char *chapters_format(const struct topics *t);
/* Reads that format back (also "MM:SS" and "H:MM:SS", tab indents, blank
 * lines and "#" comments) and checks YouTube's chapter rules against a video
 * of duration_ms (0 = unknown): first at 00:00:00 and main, at least 3, each
 * inside the video and 10 s or more, titles non-empty, <= 80 characters, one
 * line, no '<' '>'.  On any problem returns ZPUB_EINVAL with every problem a
 * line of err->msg ("line 3: ...") and *out NULL. */
int chapters_parse(const char *text, int64_t duration_ms, struct topics **out,
    struct zpub_err *err);

/* ---- re-cut (recut.c) -------------------------------------------------------- */

struct media_timemap;

/* The words of t (on old_map's output) carried onto new_map's output through
 * the source; words in a stretch new_map cuts are dropped.  The result has
 * no segments (tr_segments_from_words once new words join) and lasts
 * new_map's output. */
struct transcript *tr_recut(const struct transcript *t, const struct media_timemap *old_map,
    const struct media_timemap *new_map);
/* Topics re-timed the same way: the first stays at 0, one whose stretch was
 * cut gives way to the next, breaks move with their ends. */
struct topics *topics_recut(const struct topics *t, const struct media_timemap *old_map,
    const struct media_timemap *new_map);

/* ---- description and title (describe.c) ----------------------------------- */

#define DESC_TITLE_MAX_CHARS 100
#define DESC_MAX_BYTES 5000

struct desc_vars {
	const char *title;          /* recording title */
	const char *date;           /* "2026-11-25" */
	int n;                      /* lecture number; <= 0 omitted */
	const char *summary;
	const struct topics *topics;
	int64_t duration_ms;
	const char *language;       /* for the "Introduction" chapter name */
	const cJSON *extra;         /* more {{name}} values (strings/numbers) */
};

/* YouTube chapter list ("00:00 Intro\n01:05 Topic\n...") obeying the rules
 * (first 00:00, >= 3 entries, ascending, each >= 10 s).  Returns NULL and
 * writes a warning when no valid list can be made. */
char *desc_chapters(const struct topics *t, int64_t duration_ms, const char *language,
    char *warning, size_t warning_sz);
/* Replaces {{name}} variables; unknown names become empty. */
char *desc_render(const char *tpl, const struct desc_vars *v, char *warning, size_t warning_sz);
/* Title: one line, no '<' '>', <= 100 characters, cut at a word. */
char *desc_clean_title(const char *s);
/* Description: no '<' '>', <= 5000 bytes, cut at a word, valid UTF-8. */
char *desc_clean_description(const char *s);
/* Renders both templates and applies the limits. */
int desc_build(const char *title_tpl, const char *desc_tpl, const struct desc_vars *v,
    char **title, char **description, char *warning, size_t warning_sz,
    struct zpub_err *err);
/* Checks YouTube's rules on a finished description's chapter list:
 * 0 when there is none or it is valid, else ZPUB_EINVAL. */
int desc_check_chapters(const char *description, struct zpub_err *err);

/* ---- services (OpenAI-compatible) ------------------------------------------ */

struct ai_usage {
	double audio_minutes;
	int64_t prompt_tokens, completion_tokens, cached_tokens;
	double cost;                /* in the provider's currency (USD) */
	int requests;               /* successful requests counted */
};

struct ai_service {
	const char *name;           /* "Fireworks transcription", "DeepSeek chat" */
	const char *base_url;
	const char *path;           /* "/audio/transcriptions", "/chat/completions" */
	const char *model;
	const char *key;            /* may be NULL (local servers) */
	int64_t timeout_ms;
	int max_attempts;
	int64_t backoff_base_ms;
};

/* ---- transcription (transcribe.c) ------------------------------------------- */

struct tr_chunk {
	const char *path;           /* 16 kHz mono audio (FLAC) */
	int64_t offset_ms;          /* on the output timeline */
	int64_t duration_ms;
};

struct tr_opts {
	const char *engine;         /* "pocketsphinx" | "openai-compatible" */
	const char *language;       /* "" = detect */
	int concurrency;            /* openai-compatible: chunks in flight */
	const struct ai_service *svc;
	double price_per_minute;
	const char *ps_modeldir;    /* NULL = built-in */
	struct zpub_progress progress;
	const char *what;           /* recording name for messages */
};

/* Transcribes chunks into one transcript on their timeline. */
int tr_transcribe(const struct tr_chunk *chunks, size_t n, const struct tr_opts *o,
    struct transcript **out, struct ai_usage *usage, struct zpub_err *err);

/* Decodes any audio file to 16 kHz mono s16 (libav*). */
int tr_decode_pcm16k(const char *path, int16_t **pcm, size_t *n_samples,
    struct zpub_err *err);
/* Drops words (and segments) lying in silence of the audio: Whisper invents
 * text on silence.  pcm is 16 kHz mono; times relative to its start. */
void tr_drop_in_silence(struct transcript *t, const int16_t *pcm, size_t n);
/* Parses an OpenAI verbose_json transcription answer. */
int tr_parse_verbose_json(const char *body, struct transcript **out, struct zpub_err *err);

/* ---- chat topics (topics_chat.c) ------------------------------------------ */

struct topics_chat_opts {
	const struct ai_service *svc;
	int64_t context_tokens;     /* model context; 64000 */
	double price_in_per_mtok, price_out_per_mtok;
	const char *language;
	const char *what;           /* recording name for messages */
};

int topics_chat(const struct transcript *t, const struct topics_chat_opts *o,
    struct topics **out, struct ai_usage *usage, struct zpub_err *err);

/* Builds the chat prompt pieces (one per context window) — exposed for tests. */
char **topics_chat_prompts(const struct transcript *t, int64_t max_chars, size_t *n);

/* Translates a track's cue texts with the chat service (batches, JSON mode,
 * the count checked and asked again once), re-wraps them for the target
 * language's rules and splits, in time, cues that no longer fit. */
int subs_translate(const struct subs_track *src, const char *from, const char *to,
    const struct topics_chat_opts *o, const struct subs_rules *r, struct subs_track **out,
    struct ai_usage *usage, struct zpub_err *err);

/* ---- engine choice and the pipeline stage ---------------------------------- */

/* "auto" -> openai-compatible when has_secret, else the offline engine. */
const char *ai_engine_choose(const char *configured, int has_secret, const char *offline);

#endif
