/*
 * vk_parse.c — what VK's answers mean (see vk_parse.h).  VK sends ids as
 * JSON numbers (now and then as strings); both are read through range
 * checks, because a remote id becomes a saved state, a URL and the next
 * request's parameters: an id out of range is refused, never rounded or
 * wrapped into another video's id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jnum.h"
#include "vk_parse.h"
#include "wire_parse.h"
#include "xmalloc.h"

int
vk_parse_error(const char *body, struct vk_error *e)
{
	cJSON *o = body ? cJSON_Parse(body) : NULL;
	const cJSON *er = cJSON_GetObjectItemCaseSensitive(o, "error");
	int64_t code = 0;

	memset(e, 0, sizeof *e);
	if (!cJSON_IsObject(o) || er == NULL) {
		cJSON_Delete(o);
		return 0;
	}
	if (cJSON_IsString(er)) {
		e->upload_host = 1;
		wire_text(e->msg, sizeof e->msg, er->valuestring);
	} else {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(er, "error_msg");
		const cJSON *sid = cJSON_GetObjectItemCaseSensitive(er, "captcha_sid");
		/* codes are small positive numbers; anything else reads as "no code" */
		if (jnum_get(cJSON_GetObjectItemCaseSensitive(er, "error_code"), 1, 1000000, &code))
			e->code = (int)code;
		wire_text(e->msg, sizeof e->msg, cJSON_IsString(m) ? m->valuestring : "unknown error");
		if (cJSON_IsString(sid) && wire_id_ok(sid->valuestring, sizeof e->captcha_sid - 1, NULL))
			snprintf(e->captcha_sid, sizeof e->captcha_sid, "%s", sid->valuestring);
		else if (jnum_get(sid, 0, JNUM_MAX, &code))
			snprintf(e->captcha_sid, sizeof e->captcha_sid, "%lld", (long long)code);
	}
	cJSON_Delete(o);
	switch (e->code) {
	case 5: e->verdict = VK_AUTH; break;
	case 6: e->verdict = VK_RATE; break;
	case 9: e->verdict = VK_FLOOD; break;
	case 10: e->verdict = VK_INTERNAL; break;
	case 14: e->verdict = VK_CAPTCHA; break;
	case 27: e->verdict = VK_GROUP_TOKEN; break;
	default: e->verdict = VK_REFUSED; break;
	}
	return 1;
}

/* An id that VK sends as a number or a string of digits, inside [lo, hi]:
 * 1 with *out, 0 when absent, -1 when present but not such an id. */
static int
id_of(const cJSON *o, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v))
		return jnum_get(v, lo, hi, out) && (double)*out == v->valuedouble ? 1 : -1;
	if (cJSON_IsString(v))
		return wire_int(v->valuestring, lo, hi, out) ? 1 : -1;
	return -1;
}

int
vk_parse_save(const char *body, struct vk_saved *s, struct zpub_err *err)
{
	cJSON *o;
	char shown[120];
	int rc, ro, rv;

	memset(s, 0, sizeof *s);
	if ((rc = wire_json_object(body, "VK", "video.save", &o, err)) != 0)
		return rc;
	const cJSON *resp = cJSON_GetObjectItemCaseSensitive(o, "response");
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(resp, "upload_url");
	if (!cJSON_IsString(u) || !wire_url_ok(u->valuestring)) {
		wire_text(shown, sizeof shown, cJSON_IsString(u) ? u->valuestring : "");
		cJSON_Delete(o);
		return zpub_err_set(err, ZPUB_EREMOTE, "VK's video.save answer has %s upload "
		    "address%s%s%s", shown[0] ? "an unusable" : "no", shown[0] ? " (\"" : "",
		    shown, shown[0] ? "\")" : "");
	}
	ro = id_of(resp, "owner_id", -JNUM_MAX, JNUM_MAX, &s->owner_id);
	rv = id_of(resp, "video_id", 1, JNUM_MAX, &s->video_id);
	if (ro != 1 || rv != 1 || s->owner_id == 0) {
		int owner_bad = ro != 1 || s->owner_id == 0;
		cJSON_Delete(o);
		s->owner_id = s->video_id = 0;
		return zpub_err_set(err, ZPUB_EREMOTE, "VK's video.save answer has %s %s",
		    (owner_bad ? ro : rv) == 0 ? "no" : "an unusable (non-integer, zero or "
		    "out-of-range)", owner_bad ? "owner_id" : "video_id");
	}
	s->upload_url = xstrdup(u->valuestring); /* cJSON has unescaped the \/ */
	cJSON_Delete(o);
	return 0;
}

void
vk_saved_clear(struct vk_saved *s)
{
	if (s == NULL)
		return;
	free(s->upload_url);
	memset(s, 0, sizeof *s);
}

int
vk_parse_upload(const char *body, struct zpub_err *err)
{
	cJSON *o;
	int64_t x;
	int rc;

	if ((rc = wire_json_object(body, "VK", "the upload", &o, err)) != 0)
		return rc;
	int ro = id_of(o, "owner_id", -JNUM_MAX, JNUM_MAX, &x);
	int rv = id_of(o, "video_id", 1, JNUM_MAX, &x);
	cJSON_Delete(o);
	if (ro < 0 || rv < 0)
		return zpub_err_set(err, ZPUB_EREMOTE, "VK's upload host answered with an "
		    "out-of-range %s", ro < 0 ? "owner_id" : "video_id");
	return 0;
}

int
vk_parse_album(const char *body, struct zpub_err *err)
{
	cJSON *o;
	int rc;

	if ((rc = wire_json_object(body, "VK", "video.addToAlbum", &o, err)) != 0)
		return rc;
	int ok = jnum_or(cJSON_GetObjectItemCaseSensitive(o, "response"), 1, 1, 0) == 1;
	cJSON_Delete(o);
	return ok ? 0 : zpub_err_set(err, ZPUB_EREMOTE, "VK's video.addToAlbum answer is "
	    "not the expected {\"response\":1}");
}

int
vk_parse_delete(const char *body, struct zpub_err *err)
{
	cJSON *o;
	int rc;

	if ((rc = wire_json_object(body, "VK", "video.delete", &o, err)) != 0)
		return rc;
	int ok = jnum_or(cJSON_GetObjectItemCaseSensitive(o, "response"), 1, 1, 0) == 1;
	cJSON_Delete(o);
	return ok ? 0 : zpub_err_set(err, ZPUB_EREMOTE, "VK's video.delete answer is "
	    "not the expected {\"response\":1}");
}

/* VK leaves out what a video lacks, or sends 0: any positive duration or
 * any file address means bytes arrived. */
static int
video_has_content(const cJSON *v)
{
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(v, "files");
	const cJSON *f;
	if (jnum_or(cJSON_GetObjectItemCaseSensitive(v, "duration"), 1, JNUM_MAX, 0) > 0)
		return 1;
	cJSON_ArrayForEach(f, files)
		if (cJSON_IsString(f) && f->valuestring[0])
			return 1;
	return 0;
}

int
vk_parse_video_list(const char *body, struct vk_video_list *l, struct zpub_err *err)
{
	cJSON *o;
	const cJSON *it;
	int rc, cap;

	memset(l, 0, sizeof *l);
	if ((rc = wire_json_object(body, "VK", "video.get", &o, err)) != 0)
		return rc;
	const cJSON *resp = cJSON_GetObjectItemCaseSensitive(o, "response");
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(resp, "items");
	if (!cJSON_IsArray(items)) {
		cJSON_Delete(o);
		return zpub_err_set(err, ZPUB_EREMOTE, "VK's video.get answer has no list of "
		    "videos (response.items)");
	}
	cap = cJSON_GetArraySize(items);
	l->items = xcalloc(cap > 0 ? (size_t)cap : 1, sizeof *l->items);
	cJSON_ArrayForEach(it, items) {
		struct vk_video *v = &l->items[l->n];
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "title");
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(it, "description");
		int64_t date = jnum_or(cJSON_GetObjectItemCaseSensitive(it, "date"), 0, JNUM_MAX, 0);
		int64_t added = jnum_or(cJSON_GetObjectItemCaseSensitive(it, "adding_date"), 0,
		    JNUM_MAX, 0);

		if (!cJSON_IsObject(it) ||
		    id_of(it, "owner_id", -JNUM_MAX, JNUM_MAX, &v->owner_id) != 1 ||
		    v->owner_id == 0 || id_of(it, "id", 1, JNUM_MAX, &v->id) != 1) {
			memset(v, 0, sizeof *v);
			continue;
		}
		v->created = date > added ? date : added;
		v->has_content = video_has_content(it);
		v->title = cJSON_IsString(t) ? xstrdup(t->valuestring) : NULL;
		v->description = cJSON_IsString(d) ? xstrdup(d->valuestring) : NULL;
		l->n++;
	}
	cJSON_Delete(o);
	return 0;
}

void
vk_video_list_clear(struct vk_video_list *l)
{
	if (l == NULL)
		return;
	for (int i = 0; i < l->n; i++) {
		free(l->items[i].title);
		free(l->items[i].description);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

void
vk_text_fingerprint(const char *s, char out[17])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t a = 0, b = s ? strlen(s) : 0;

	while (a < b && strchr(" \t\r\n", s[a]))
		a++;
	while (b > a && strchr(" \t\r\n", s[b - 1]))
		b--;
	for (size_t i = a; i < b; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

int
vk_video_is_orphan(const struct vk_video *v, const struct vk_orphan_query *q)
{
	char fp[17];

	if (v->owner_id != q->owner_id || v->id == q->keep_id || v->has_content)
		return 0;
	for (int i = 0; i < q->n_known; i++)
		if (q->known[i] == v->id)
			return 1;
	if (v->title == NULL || v->created < q->since || q->names == NULL)
		return 0;
	for (int i = 0; q->names[i]; i++) {
		if (strcmp(v->title, q->names[i]) != 0)
			continue;
		if (v->description == NULL || q->fingerprints == NULL || q->fingerprints[i] == NULL)
			return 1;
		vk_text_fingerprint(v->description, fp);
		if (strcmp(fp, q->fingerprints[i]) == 0)
			return 1;
	}
	return 0;
}

/* A positive id from a target setting: a number, or digits after one of
 * the prefixes. */
static int
target_id(const cJSON *v, const char *what, const char *example, int prefixes,
    int64_t *id, struct zpub_err *err)
{
	char shown[80];

	*id = 0;
	if (v == NULL || cJSON_IsNull(v) || (cJSON_IsString(v) && v->valuestring[0] == '\0'))
		return 0;
	if (cJSON_IsNumber(v)) {
		/* "-123" names the same community as "123" */
		if (jnum_get(v, -JNUM_MAX, JNUM_MAX, id) && (double)*id == v->valuedouble &&
		    *id != 0) {
			if (*id < 0 && prefixes)
				*id = -*id;
			if (*id > 0)
				return 0;
		}
		snprintf(shown, sizeof shown, "%.17g", v->valuedouble);
	} else if (cJSON_IsString(v)) {
		const char *s = v->valuestring;
		if (prefixes) {
			if (strncmp(s, "club", 4) == 0)
				s += 4;
			else if (strncmp(s, "public", 6) == 0)
				s += 6;
			if (*s == '-')
				s++;
		}
		if (*s >= '0' && *s <= '9' && wire_int(s, 1, JNUM_MAX, id))
			return 0;
		wire_text(shown, sizeof shown, v->valuestring);
	} else
		snprintf(shown, sizeof shown, "not a number or a string");
	*id = 0;
	return zpub_err_set(err, ZPUB_EINVAL, "the VK target's %s is not a %s id (%s); "
	    "write it as %s", what, what, shown, example);
}

int
vk_group_id(const cJSON *group, int64_t *id, struct zpub_err *err)
{
	return target_id(group, "group", "\"club123\" or 123", 1, id, err);
}

int
vk_album_id(const cJSON *album, int64_t *id, struct zpub_err *err)
{
	return target_id(album, "album", "a positive number such as 12", 0, id, err);
}

char *
vk_text_cut(const char *s, size_t max_cp)
{
	size_t cp = 0, i = 0;
	if (s == NULL)
		return xstrdup("");
	while (s[i] && cp < max_cp) {
		unsigned char c = (unsigned char)s[i];
		i += c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
		cp++;
	}
	return xstrndup(s, i);
}
