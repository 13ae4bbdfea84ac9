/* The one door FFmpeg opens files through (src/media/open.c): playlists,
 * concat scripts and images are refused before anything they name is
 * opened, with a sentence naming the detected format and the file; a file
 * whose name looks like an FFmpeg address ("concat:...") is still a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "media.h"
#include "testutil.h"

static char *dir;

static char *
put(const char *name, const void *data, size_t len)
{
	char *p = path_join(dir, name);
	assert_int_equal(fs_write_atomic(p, data, len, 0600, NULL), 0);
	return p;
}

static void
expect_refused(const char *name, const char *text, size_t len, const char *format,
    const char *what)
{
	struct AVFormatContext *fmt = (struct AVFormatContext *)&fmt;
	struct zpub_err err;
	char *p = put(name, text, len ? len : strlen(text));
	char want[64];

	assert_int_equal(media_open_input(p, &fmt, &err), ZPUB_EMEDIA);
	assert_null(fmt);
	snprintf(want, sizeof want, "(format '%s')", format);
	if (strstr(err.msg, want) == NULL || strstr(err.msg, name) == NULL ||
	    strstr(err.msg, what) == NULL || strstr(err.msg, "not a media file") == NULL)
		fail_msg("%s: %s", name, err.msg);
	free(p);
}

static void
test_an_hls_playlist_named_mp4_is_refused_naming_the_format(void **state)
{
	(void)state;
	char *victim = put("victim.ts", "not even read", 13);
	char *text = xasprintf("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n"
	    "#EXTINF:6.0,\n%s\n#EXT-X-ENDLIST\n", victim);
	expect_refused("lecture.mp4", text, 0, "hls", "an HLS playlist");
	free(text);
	free(victim);
}

static void
test_a_concat_script_is_refused_naming_the_format(void **state)
{
	(void)state;
	expect_refused("lecture2.mp4", "ffconcat version 1.0\nfile 'victim.ts'\n", 0, "concat",
	    "concat script");
}

static void
test_an_image_is_refused_naming_the_format(void **state)
{
	(void)state;
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0";
	expect_refused("still.mp4", png, sizeof png - 1, "png_pipe", "an image");
}

static void
test_a_name_like_an_ffmpeg_address_is_only_a_file(void **state)
{
	(void)state;
	struct AVFormatContext *fmt = NULL;
	struct zpub_err err;
	char *v = put("victim.ts", "not even read", 13);
	char *p = put("concat:victim.ts|other.ts", "hello", 5);
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(dir), 0);
	/* relative, as a user types it: opened as the file of that name (plain
	 * text here), not as the concat protocol joining victim.ts and the
	 * missing other.ts */
	int rc = media_open_input("concat:victim.ts|other.ts", &fmt, &err);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rc, ZPUB_EMEDIA);
	assert_non_null(strstr(err.msg, "concat:victim.ts|other.ts"));
	assert_null(strstr(err.msg, "No such file"));
	free(p);
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_hls_playlist_named_mp4_is_refused_naming_the_format),
		cmocka_unit_test(test_a_concat_script_is_refused_naming_the_format),
		cmocka_unit_test(test_an_image_is_refused_naming_the_format),
		cmocka_unit_test(test_a_name_like_an_ffmpeg_address_is_only_a_file),
	};
	dir = test_tmpdir("media_open");
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	fs_remove_tree(dir);
	free(dir);
	return rc;
}
