/*
 * recut.c — cut editing's engine side: the editor's overrides as an input
 * of the cut plan, the plan with its reasons for `zpub cut --show`, and
 * the copy of the transcript and its time map kept across a re-cut (the
 * transcribe stage carries the words over through the old and new maps).
 */
#include "recut.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "util.h"

void
recut_clock(int64_t ms, char out[24])
{
	char hms[16];

	time_hms(ms, hms);
	if (ms % 1000 != 0)
		snprintf(out, 24, "%s.%03d", hms, (int)(ms % 1000));
	else
		snprintf(out, 24, "%s", hms);
}

int
recut_overrides(struct store *st, int64_t rec_id, struct media_override **v, size_t *n,
    struct zpub_err *err)
{
	struct store_cut_override *o = NULL;
	int no = 0, rc;

	*v = NULL;
	*n = 0;
	if ((rc = store_cut_overrides(st, rec_id, &o, &no, err)) != 0 || no == 0)
		return rc;
	*v = xcalloc((size_t)no, sizeof **v);
	for (int i = 0; i < no; i++)
		(*v)[i] = (struct media_override){ o[i].start_ms, o[i].end_ms, o[i].keep,
		    (size_t)i };
	*n = (size_t)no;
	store_cut_overrides_free(o, no);
	return 0;
}

/* The newest artefact of kind: its path (malloc'd) and extra's key. */
static char *
newest(struct store *st, int64_t rec_id, const char *kind, const char *key, int64_t *val)
{
	struct store_artifact *a = NULL;
	char *path = NULL;
	int n = 0;

	if (store_artifacts(st, rec_id, kind, &a, &n, NULL) == 0 && n > 0) {
		path = xstrdup(a[n - 1].path);
		if (key != NULL) {
			cJSON *x = a[n - 1].extra ? cJSON_Parse(a[n - 1].extra) : NULL;
			const cJSON *d = cJSON_GetObjectItemCaseSensitive(x, key);

			if (cJSON_IsNumber(d) && d->valuedouble > 0)
				*val = (int64_t)d->valuedouble;
			cJSON_Delete(x);
		}
	}
	store_artifacts_free(a, n);
	return path;
}

int64_t
recut_source_ms(struct store *st, const struct store_recording *r)
{
	int64_t ms = 0;

	free(newest(st, r->id, "time_map", "source_duration_ms", &ms));
	return ms > 0 ? ms : r->duration_ms;
}

static int
copy_file(const char *from, const char *to, struct zpub_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = fs_read_all(from, &buf, &len, err);

	if (rc == 0)
		rc = fs_write_atomic(to, buf, len, 0600, err);
	free(buf);
	return rc;
}

int
recut_stash(struct store *st, int64_t rec_id, struct zpub_err *err)
{
	char *tr = newest(st, rec_id, "transcript", NULL, NULL);
	char *map = newest(st, rec_id, "time_map", NULL, NULL);
	char *dir = NULL, *to_tr = NULL, *to_map = NULL, *slash;
	int rc = 0;

	if (tr == NULL || map == NULL || !fs_exists(tr) || !fs_exists(map))
		goto out;
	dir = xstrdup(tr);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	to_tr = path_join(dir, RECUT_TRANSCRIPT);
	to_map = path_join(dir, RECUT_TIME_MAP);
	if (fs_exists(to_tr) && fs_exists(to_map))
		goto out;
	/* The map first: a transcript without its map is never left alone. */
	if ((rc = copy_file(map, to_map, err)) == 0 && (rc = copy_file(tr, to_tr, err)) != 0)
		unlink(to_map);
out:
	free(to_map);
	free(to_tr);
	free(dir);
	free(map);
	free(tr);
	return rc;
}

void
recut_forget(const char *dir)
{
	char *tr = path_join(dir, RECUT_TRANSCRIPT), *map = path_join(dir, RECUT_TIME_MAP);

	unlink(tr);
	unlink(map);
	free(map);
	free(tr);
}

int
recut_plan(struct store *st, const struct store_recording *r, const cJSON *cfg,
    const struct zpub_progress *prog, struct recut_plan *out, struct zpub_err *err)
{
	struct media_silence_opts so;
	struct media_plan_opts po;
	struct media_visual_opts vo;
	struct media_spans sil = {0}, vis = {0}, pauses = {0};
	struct media_info *mi = NULL;
	int64_t dur = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (r->source_path == NULL)
		return zpub_err_set(err, ZPUB_ENOTFOUND, "recording %lld has no source file yet:"
		    " run it to DOWNLOADED first", (long long)r->id);
	media_silence_opts_from_config(&so, cfg);
	media_plan_opts_from_config(&po, cfg);
	media_visual_opts_from_config(&vo, cfg);
	if ((rc = recut_overrides(st, r->id, &out->ov, &out->n_ov, err)) != 0)
		return rc;
	if ((rc = media_probe(r->source_path, &mi, err)) == 0 &&
	    (rc = media_silence_analyse(r->source_path, &so, prog, &sil, &dur, err)) == 0)
		rc = media_visual_analyse(r->source_path, &sil, dur, &vo, prog, &vis, err);
	/* Pauses with new content on screen are not shortened. */
	media_spans_subtract(&sil, &vis, &pauses);
	if (rc == 0 && (rc = media_plan_build_with(dur, &pauses, &po, out->ov, out->n_ov,
	    &out->tm, err)) == 0) {
		media_plan_fit_with(&out->tm, mi, &po, out->ov, out->n_ov);
		media_plan_stretches(&out->tm, out->ov, out->n_ov, &out->v, &out->n);
	}
	media_spans_clear(&pauses);
	media_spans_clear(&vis);
	media_spans_clear(&sil);
	media_info_free(mi);
	if (rc != 0)
		recut_plan_clear(out);
	return rc;
}

void
recut_plan_clear(struct recut_plan *p)
{
	media_timemap_clear(&p->tm);
	free(p->ov);
	free(p->v);
	memset(p, 0, sizeof *p);
}
