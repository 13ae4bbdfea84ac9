/*
 * cmd_migrate.c — `zpub migrate --to URL`: copies this data folder's SQLite
 * store into an empty PostgreSQL database and checks the row counts
 * (store_copy.h).  The operator's alone: it moves every tenant at once.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "cmd.h"
#include "sqldb.h"
#include "store.h"
#include "store_copy.h"

struct migrate_tally {
	int64_t rows;
	int tables;
};

static void
migrate_progress(void *arg, const char *table, int64_t rows)
{
	struct migrate_tally *t = arg;
	t->rows += rows;
	t->tables++;
	printf("copied %s: %" PRId64 " row%s\n", table, rows, rows == 1 ? "" : "s");
	fflush(stdout);
}

int
cmd_migrate(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct migrate_tally tally = { 0, 0 };
	struct store *to = NULL;
	struct zpub_err err;
	const char *url = NULL;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 't')
			url = optarg;
		else
			return cli_usage(cli, NULL);
	}
	if (optind < argc)
		return cli_usage(cli, "takes no arguments besides --to URL");
	if (url == NULL)
		return cli_usage(cli, "name the empty PostgreSQL database to copy into with --to");
	/* The URL is never echoed: it may carry a password. */
	if (!sdb_is_url(url))
		return cli_usage(cli, "--to takes a PostgreSQL URL such as"
		    " postgresql://USER@HOST:PORT/NAME (the password in the URL, in"
		    " PGPASSWORD or in ~/.pgpass)");
	if (!cli->operator) {
		fprintf(stderr, "zpub: migrate copies every tenant's recordings: it is the"
		    " operator's; run it without --tenant\n");
		return 2;
	}
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	if (store_open(url, cli->data_dir, &to, &err) != 0)
		return cli_fail(cli, &err);
	rc = store_copy(cli->store, to, migrate_progress, &tally, &err);
	if (rc == 0)
		printf("copied %" PRId64 " row%s of %d tables from %s into the %s; every table"
		    " has as many rows on both sides\n", tally.rows, tally.rows == 1 ? "" : "s",
		    tally.tables, store_name(cli->store), store_name(to));
	store_close(to);
	return rc == 0 ? 0 : cli_fail(cli, &err);
}
