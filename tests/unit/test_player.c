/* The user's player (src/engine/player.c): the command split without a
 * shell, placeholders filled, a player found on PATH, the program started
 * detached with its arguments intact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "player.h"
#include "util.h"

static void
test_words(void **state)
{
	char **v = NULL;
	struct zpub_err err;
	assert_int_equal(player_argv("my\\ player --x='a b' \"--start={seconds}\" {file}",
	    "/tmp/a b;$(rm -rf x).mp4", 65.5, &v, &err), 0);
	assert_string_equal(v[0], "my player");
	assert_string_equal(v[1], "--x=a b");
	assert_string_equal(v[2], "--start=65.500");
	assert_string_equal(v[3], "/tmp/a b;$(rm -rf x).mp4");
	assert_null(v[4]);
	player_argv_free(v);
	/* No {file}: the file is the last argument; whole seconds print whole. */
	assert_int_equal(player_argv("vlc --start-time={seconds}", "f.mp4", 3723, &v, &err), 0);
	assert_string_equal(v[1], "--start-time=3723");
	assert_string_equal(v[2], "f.mp4");
	assert_null(v[3]);
	player_argv_free(v);
	assert_int_equal(player_argv("mpv 'open", "f", 0, &v, &err), ZPUB_EINVAL);
	assert_non_null(strstr(err.msg, "quote"));
	assert_null(v);
	assert_int_equal(player_argv("   ", "f", 0, &v, &err), ZPUB_EINVAL);
}

static char dir[256];

static void
put_script(const char *name, const char *body)
{
	char *p = path_join(dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(body, f);
	fclose(f);
	chmod(p, 0755);
	free(p);
}

static void
test_default_on_path_and_start(void **state)
{
	const char *tmp = getenv("ZPUB_TESTTMP") ? getenv("ZPUB_TESTTMP") : "/tmp";
	snprintf(dir, sizeof dir, "%s/player.%d", tmp, (int)getpid());
	fs_mkdir_p(dir, 0700, NULL);
	char *old = xstrdup(getenv("PATH") ? getenv("PATH") : "");
	char *log = path_join(dir, "args");
	char *script = xasprintf("#!/bin/sh\nfor a in \"$@\"; do printf '%%s\\n' \"$a\"; done "
	    "> '%s.tmp' && /bin/mv '%s.tmp' '%s'\n", log, log, log);
	/* Only ffplay on PATH: it is picked. */
	put_script("ffplay", script);
	setenv("PATH", dir, 1);
	char **v = NULL;
	struct zpub_err err;
	assert_int_equal(player_argv(NULL, "/media/cut it.mp4", 90, &v, &err), 0);
	assert_string_equal(v[0], "ffplay");
	assert_int_equal(player_start(v, &err), 0);
	player_argv_free(v);
	/* The player runs detached: wait for what it wrote. */
	char *got = NULL;
	size_t len = 0;
	for (int i = 0; i < 200 && fs_read_all(log, &got, &len, NULL) != 0; i++)
		usleep(20000);
	assert_non_null(got);
	assert_string_equal(got, "-autoexit\n-ss\n90\n/media/cut it.mp4\n");
	free(got);
	/* mpv comes first when both are there. */
	put_script("mpv", script);
	assert_int_equal(player_argv("", "f", 1, &v, &err), 0);
	assert_string_equal(v[0], "mpv");
	player_argv_free(v);
	/* None: a sentence that says what to do. */
	setenv("PATH", "/nonexistent", 1);
	assert_int_equal(player_argv(NULL, "f", 1, &v, &err), ZPUB_ENOTFOUND);
	assert_non_null(strstr(err.msg, "ui.player"));
	/* A player that is not there: the error names it. */
	char *argv[] = { "no-such-player-zpub", "f", NULL };
	assert_int_equal(player_start(argv, &err), ZPUB_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no-such-player-zpub"));
	setenv("PATH", old, 1);
	free(old);
	free(script);
	free(log);
	fs_remove_tree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_default_on_path_and_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
