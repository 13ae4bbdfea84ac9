/* needs: src/net/zoom.c */
/*
 * fuzz_zoom.c — what Zoom sends that zpub trusts least: meeting topics
 * (titles) and whole listing entries (which files become recordings), plus
 * the media sniffer.  Checks: titles are valid UTF-8 with no control, bidi
 * or invisible format characters, at most the cap in code points and never
 * empty; every chosen item is an MP4 or M4A with an id and a clean title.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "zoom.h"
#include "util.h"
#include "fdp.h"

static void
check_title(const char *t, size_t cap)
{
	size_t len = strlen(t);
	if (len == 0 || !utf8_valid(t, len)) {
		fprintf(stderr, "title empty or not UTF-8\n");
		__builtin_trap();
	}
	if (utf8_len(t) > cap) {
		fprintf(stderr, "title has %zu code points, cap %zu\n", utf8_len(t), cap);
		__builtin_trap();
	}
	for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			__builtin_trap();                         /* C0, DEL */
		if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
			__builtin_trap();                         /* C1 */
		if (p[0] == 0xE2 && p[1] == 0x80 && ((p[2] >= 0xAA && p[2] <= 0xAE) ||
		    p[2] == 0x8E || p[2] == 0x8F))
			__builtin_trap();                         /* LRM RLM, embeddings, overrides */
		if (p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)
			__builtin_trap();                         /* isolates */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp f = { data, size };
	uint8_t mode = fdp_u8(&f);

	if (mode % 3 == 0) {
		size_t cap = (size_t)fdp_range(&f, 2, 300);
		char *topic = fdp_rest(&f);
		char *t = zoom_title_sanitize(topic, cap, "fallback");
		check_title(t, cap);
		free(t);
		free(topic);
		return 0;
	}
	if (mode % 3 == 1) {
		zoom_sniff_media(data, size);
		return 0;
	}
	char *json = fdp_rest(&f);
	cJSON *m = cJSON_Parse(json);
	struct zoom_item *it = NULL;
	int n = 0, processing = 0;
	if (zoom_meeting_items(m, &it, &n, &processing) == 0) {
		for (int i = 0; i < n; i++) {
			if (it[i].file_id == NULL || it[i].meta == NULL ||
			    (strcmp(it[i].file_type, "MP4") != 0 && strcmp(it[i].file_type, "M4A") != 0))
				__builtin_trap();
			check_title(it[i].title, 220);   /* 200 + " (part N)" */
			char *s = cJSON_PrintUnformatted(it[i].meta);
			free(s);
		}
		zoom_items_free(it, n);
	}
	cJSON_Delete(m);
	free(json);
	return 0;
}
