/*
 * cmd.h — the scriptable commands: one table, one file per command group.
 *
 * ZPUB_COMMANDS is the single list of commands: it yields the dispatch
 * table, `zpub help` and the usage lines.  A command returns the process exit
 * code: 0 done, 1 it failed (the message is printed), 2 bad usage.
 */
#ifndef ZPUB_CMD_H
#define ZPUB_CMD_H

#include <stdint.h>
#include <stdio.h>
#include <cJSON.h>

#include "err.h"
#include "session.h"

/* X(name, handler, usage, summary) */
#define ZPUB_COMMANDS(X) \
	X("import", cmd_import, "import [--title T] FILE...", \
	  "copy media files in as new recordings (prints their ids)") \
	X("list", cmd_list, "list [--status S] [--search TEXT] [--limit N] [--json]", \
	  "list recordings") \
	X("show", cmd_show, "show ID [--json]", "one recording: stages, artefacts, publications") \
	X("status", cmd_status, "status [--json]", "counts per status and what is running") \
	X("run", cmd_run, "run ID...|--all [--until STATUS] [--ignore-quota]", \
	  "run the pipeline stages in order") \
	X("retry", cmd_retry, "retry ID...", "queue FAILED recordings again at their failed stage") \
	X("skip", cmd_skip, "skip ID...", "mark recordings SKIPPED (kept, can be un-skipped)") \
	X("unskip", cmd_unskip, "unskip ID...", "bring SKIPPED recordings back into the flow") \
	X("delete", cmd_delete, "delete ID...", "delete recordings and their files") \
	X("stop", cmd_stop, "stop ID... [--wait]", \
	  "stop a running stage; the recording goes back to its last finished status") \
	X("journal", cmd_journal, "journal [ID] [--limit N] [--json]", "the operations journal") \
	X("config", cmd_config, "config get KEY | config set KEY VALUE | config show" \
	  " | config keys [PREFIX] [--json] | config keys --format md|man", \
	  "read and change the configuration; keys lists every setting") \
	X("secret", cmd_secret, "secret set NAME | secret list [--json] | secret delete NAME" \
	  " | secret reset [--yes]", \
	  "API keys and client secrets, encrypted at rest") \
	X("sync", cmd_sync, "sync zoom [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--dry-run]" \
	  " [--include-deleted] [--as NAME] [--json]", \
	  "create recordings from the Zoom account's cloud recordings") \
	X("template", cmd_template, "template add|edit NAME [--match JSON] [--processing JSON]" \
	  " [--metadata JSON] [--targets JSON] [--priority N] [--file F] [--enable|--disable]" \
	  " | template list|show|test|delete NAME [--json]", \
	  "templates: matching rules and the config they bring") \
	X("job", cmd_job, "job add|edit NAME --schedule S --source watch [--path DIR]" \
	  " [--pattern GLOB] [--action sync|process|publish] [--filters JSON] [--settle 5s]" \
	  " [--dry-run] | job list|show|delete NAME | job run NAME [--dry-run] [--json]", \
	  "automation jobs: a schedule, a source and what to do") \
	X("tenant", cmd_tenant, "tenant add NAME | tenant list|show NAME [--json]" \
	  " | tenant quota NAME [--storage SIZE] [--minutes N] [--concurrent N]" \
	  " [--retention-days N] | tenant config NAME KEY VALUE", \
	  "tenants, their quotas and configuration") \
	X("usage", cmd_usage, "usage [--tenant T] [--month YYYY-MM] [--json]", \
	  "metered usage and its cost per tenant, kind and provider") \
	X("audit", cmd_audit, "audit [--limit N] [--all-tenants] [--json]", \
	  "who changed what, when and from where") \
	X("user", cmd_user, "user add NAME [--role owner|editor|viewer] | user list [--json]" \
	  " | user token NAME | user remove NAME", "users of the control API and their tokens") \
	X("analyse", cmd_analyse, "analyse FILE [--json] [--silence-mode adaptive|threshold]" \
	  " [--threshold-db DB] [--min-silence-ms MS]" \
	  " [--max-pause-ms MS] [--keep-pause-ms MS] [--window-ms MS] [--margin-before-ms MS]" \
	  " [--margin-after-ms MS]", "silences, speech and what the cut would remove") \
	X("transcribe", cmd_transcribe, "transcribe ID [--engine E] [--force]", \
	  "transcribe, then find topics, lay out subtitles and write the description") \
	X("topics", cmd_topics, "topics ID [--engine E] | topics ID --show | topics ID --set FILE|-", \
	  "find topics again, or print / write the chapter lines (a new topic version)") \
	X("approve", cmd_approve, "approve ID...", \
	  "approve the newest topic version; a recording held for review then publishes") \
	X("cut", cmd_cut, "cut ID --keep HH:MM:SS-HH:MM:SS... --remove HH:MM:SS-HH:MM:SS..." \
	  " [--clear] | cut ID --show", \
	  "keep or remove stretches of the source against the silence analysis; the next run re-cuts") \
	X("thumbnail", cmd_thumbnail, "thumbnail ID [--pick N | --file IMAGE]", \
	  "list the thumbnails; choose the N-th, or supply a JPEG/PNG/WebP/BMP picture") \
	X("play", cmd_play, "play ID [HH:MM:SS]", "play the cut video from a timecode in your player") \
	X("subtitles", cmd_subtitles, "subtitles ID", "lay out SRT/VTT from the transcript") \
	X("describe", cmd_describe, "describe ID", "render title and description") \
	X("publish", cmd_publish, "publish ID [--to youtube,vk,folder | --update] [--dry-run]" \
	  " [--ignore-quota]", \
	  "publish a recording to its targets (--update: send a READY one's edits), or show" \
	  " what would be sent") \
	X("auth", cmd_auth, "auth youtube|vk|zoom [--no-browser] [--port N] [--timeout S] |" \
	  " auth list [--json] | auth revoke PROVIDER", "connect YouTube, VK and Zoom accounts") \
	X("migrate", cmd_migrate, "migrate --to URL", \
	  "copy this data folder's store into an empty PostgreSQL database and check it") \
	X("help", cmd_help, "help [COMMAND]", "this help")

#define X(name, fn, usage, summary) int fn(struct session *cli, int argc, char **argv);
ZPUB_COMMANDS(X)
#undef X

/* 1 when this command may pass --ignore-quota (the operator: no
 * --tenant); otherwise says so on stderr and returns 0 (cmd_run.c). */
int cli_ignore_quota_allowed(struct session *cli);
/* Prints "zpub: <message>" and returns 1. */
int cli_fail(struct session *cli, const struct zpub_err *err);
/* `zpub topics ID --show|--set FILE` (cmd_review.c). */
int cli_topics_edit(struct session *cli, int argc, char **argv);
/* Prints the usage line of the current command and returns 2. */
int cli_usage(struct session *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints a JSON value to stdout (pretty) and frees it. */
void cli_print_json(cJSON *j);
/* Parses a recording id ("12"); 0 when it is not a whole number from 1 to
 * 2^63-1 (a longer one is refused, never cut down to the largest). */
int64_t cli_parse_id(const char *s);
/* Every number an option takes: a whole number in [min, max] into *out
 * and 0; otherwise a usage error naming the option (what, e.g. "--limit")
 * and the range, and the exit code 2. */
int cli_int_arg(struct session *cli, const char *what, const char *s, int64_t min, int64_t max,
    int64_t *out);
/* Progress for the CLI: a bar on a terminal, nothing on a pipe. */
int cli_progress(void *ud, double fraction, const char *what);
void cli_progress_done(struct session *cli);
/* The usage line of a command. */
const char *cli_usage_of(const char *name);

#endif
