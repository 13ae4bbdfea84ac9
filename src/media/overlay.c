/*
 * overlay.c — the recording's title drawn on a thumbnail.
 *
 * One still picture through a libavfilter graph: buffer -> drawtext ->
 * buffersink.  The font is a family name that drawtext looks up with
 * fontconfig (the file `fc-match FAMILY` names); size, colours, box and position
 * come from processing.thumbnails.overlay.*.  The title is set as an
 * option value, never parsed as part of a filter description, and drawn
 * literally (no %{...} expansion), so any title is safe to draw.
 */
#include "media_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/opt.h>

#include "config.h"

int
media_overlay_from_config(struct media_overlay *o, const cJSON *cfg)
{
	o->font = config_str(cfg, "processing.thumbnails.overlay.font", "DejaVu Sans");
	o->size = (int)config_int(cfg, "processing.thumbnails.overlay.size", 56);
	o->color = config_str(cfg, "processing.thumbnails.overlay.color", "white");
	o->box_color = config_str(cfg, "processing.thumbnails.overlay.box_color",
	    "black@0.6");
	o->position = config_str(cfg, "processing.thumbnails.overlay.position", "bottom");
	return config_bool(cfg, "processing.thumbnails.overlay.enabled", 0);
}

/* drawtext's y for a position word. */
static const char *
overlay_y(const char *position)
{
	if (position != NULL && strcmp(position, "top") == 0)
		return "h/12";
	if (position != NULL && strcmp(position, "center") == 0)
		return "(h-text_h)/2";
	return "h-text_h-h/12";
}

static int
overlay_decode(const char *in, AVFrame *f, struct zpub_err *err)
{
	AVFormatContext *fmt = NULL;
	AVCodecContext *dec = NULL;
	const AVCodec *codec = NULL;
	AVPacket *pkt = av_packet_alloc();
	int rc, vi;

	if (pkt == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	if ((rc = media_open_image(in, INT64_MAX, &fmt, err)) < 0)
		goto out;
	vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
	if (vi < 0 || codec == NULL || (dec = avcodec_alloc_context3(codec)) == NULL ||
	    avcodec_parameters_to_context(dec, fmt->streams[vi]->codecpar) < 0 ||
	    avcodec_open2(dec, codec, NULL) < 0) {
		rc = zpub_err_set(err, ZPUB_EMEDIA, "cannot decode '%s'", media_base(in));
		goto out;
	}
	rc = AVERROR(EAGAIN);
	while (rc == AVERROR(EAGAIN) && av_read_frame(fmt, pkt) >= 0) {
		if (pkt->stream_index == vi && avcodec_send_packet(dec, pkt) >= 0)
			rc = avcodec_receive_frame(dec, f);
		av_packet_unref(pkt);
	}
	if (rc < 0) {
		avcodec_send_packet(dec, NULL);
		rc = avcodec_receive_frame(dec, f);
	}
	if (rc < 0)
		rc = media_averr(err, ZPUB_EMEDIA, rc, "cannot decode '%s'", media_base(in));
out:
	avcodec_free_context(&dec);
	avformat_close_input(&fmt);
	av_packet_free(&pkt);
	return rc < 0 ? rc : 0;
}

/* The drawtext filter of the graph, set up by options. */
static int
overlay_drawtext(AVFilterGraph *g, AVFilterContext **out, const char *title,
    const struct media_overlay *o, struct zpub_err *err)
{
	const AVFilter *dt = avfilter_get_by_name("drawtext");
	AVFilterContext *c;
	char size[16];
	int rc = 0, box = o->box_color != NULL && *o->box_color != '\0';

	if (dt == NULL || (c = avfilter_graph_alloc_filter(g, dt, "title")) == NULL)
		return zpub_err_set(err, ZPUB_EMEDIA, "this FFmpeg has no drawtext filter; "
		    "turn processing.thumbnails.overlay.enabled off");
	snprintf(size, sizeof size, "%d", o->size);
	if ((rc = av_opt_set(c, "font", o->font, AV_OPT_SEARCH_CHILDREN)) < 0 ||
	    (rc = av_opt_set(c, "text", title, AV_OPT_SEARCH_CHILDREN)) < 0 ||
	    (rc = av_opt_set(c, "expansion", "none", AV_OPT_SEARCH_CHILDREN)) < 0 ||
	    (rc = av_opt_set(c, "fontsize", size, AV_OPT_SEARCH_CHILDREN)) < 0 ||
	    (rc = av_opt_set(c, "fontcolor", o->color, AV_OPT_SEARCH_CHILDREN)) < 0 ||
	    (rc = av_opt_set(c, "x", "(w-text_w)/2", AV_OPT_SEARCH_CHILDREN)) < 0 ||
	    (rc = av_opt_set(c, "y", overlay_y(o->position),
	    AV_OPT_SEARCH_CHILDREN)) < 0 ||
	    (rc = av_opt_set_int(c, "box", box, AV_OPT_SEARCH_CHILDREN)) < 0 ||
	    (box && (rc = av_opt_set(c, "boxcolor", o->box_color, AV_OPT_SEARCH_CHILDREN)) < 0) ||
	    (box && (rc = av_opt_set(c, "boxborderw", "12", AV_OPT_SEARCH_CHILDREN)) < 0))
		return media_averr(err, ZPUB_EINVAL, rc, "the title overlay's settings are "
		    "wrong (font '%s', colour '%s', box '%s'); check "
		    "processing.thumbnails.overlay.*", o->font, o->color, box ? o->box_color : "");
	if ((rc = avfilter_init_str(c, NULL)) < 0)
		return media_averr(err, ZPUB_ENOTFOUND, rc, "no font for '%s' could be loaded "
		    "(fontconfig); install one or set processing.thumbnails.overlay.font",
		    o->font);
	*out = c;
	return 0;
}

int
media_overlay_draw(const char *in, const char *out, const char *title,
    const struct media_overlay *o, struct zpub_err *err)
{
	AVFilterGraph *g = avfilter_graph_alloc();
	AVFilterContext *src = NULL, *dt = NULL, *sink = NULL;
	AVFrame *f = av_frame_alloc(), *r = av_frame_alloc();
	char args[256];
	int rc;

	if (g == NULL || f == NULL || r == NULL) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = overlay_decode(in, f, err)) < 0)
		goto out;
	snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=1/25:"
	    "pixel_aspect=1/1", f->width, f->height, f->format);
	if ((rc = avfilter_graph_create_filter(&src, avfilter_get_by_name("buffer"), "in",
	    args, NULL, g)) < 0 ||
	    (rc = avfilter_graph_create_filter(&sink, avfilter_get_by_name("buffersink"),
	    "out", NULL, NULL, g)) < 0) {
		rc = media_averr(err, ZPUB_EMEDIA, rc, "cannot set up the title overlay");
		goto out;
	}
	if ((rc = overlay_drawtext(g, &dt, title, o, err)) < 0)
		goto out;
	if ((rc = avfilter_link(src, 0, dt, 0)) < 0 || (rc = avfilter_link(dt, 0, sink, 0)) < 0 ||
	    (rc = avfilter_graph_config(g, NULL)) < 0) {
		rc = media_averr(err, ZPUB_EMEDIA, rc, "cannot set up the title overlay");
		goto out;
	}
	f->pts = 0;
	if ((rc = av_buffersrc_add_frame(src, f)) < 0 ||
	    (rc = av_buffersrc_add_frame(src, NULL)) < 0 ||
	    (rc = av_buffersink_get_frame(sink, r)) < 0) {
		rc = media_averr(err, ZPUB_EMEDIA, rc, "drawing the title on '%s' failed",
		    media_base(in));
		goto out;
	}
	rc = media_jpeg_write(r, 0, out, err);
out:
	av_frame_free(&r);
	av_frame_free(&f);
	avfilter_graph_free(&g);
	return rc < 0 ? rc : 0;
}
