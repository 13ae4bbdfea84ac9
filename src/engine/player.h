/*
 * player.h — playing a recording at a timecode in the user's own player.
 *
 * The command comes from the operator's `ui.player` setting, e.g.
 * "mpv --start={seconds} {file}"; without one, the first of mpv, ffplay and
 * vlc on PATH is used.  The command is split into words here (single and
 * double quotes group, a backslash escapes) and run without a shell, so a
 * file name is one argument whatever it holds.  The player runs detached:
 * the caller never waits for it and leaves no zombie behind.
 */
#ifndef ZPUB_PLAYER_H
#define ZPUB_PLAYER_H

#include "err.h"

/* argv (NULL-terminated, malloc'd) for playing file from seconds.  cmd NULL
 * or "" picks a player on PATH; ZPUB_ENOTFOUND when there is none. */
int player_argv(const char *cmd, const char *file, double seconds, char ***argv,
    struct zpub_err *err);
void player_argv_free(char **argv);
/* Starts argv detached (own session; stdin, stdout and stderr on /dev/null).
 * Returns once the program is running (0) or could not be started (an
 * error naming it). */
int player_start(char *const *argv, struct zpub_err *err);

#endif
