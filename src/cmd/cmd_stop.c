/*
 * cmd_stop.c — `zpub stop ID... [--wait]`: stops the running stage of each
 * recording, whichever process on this machine runs it (stop.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "config.h"
#include "stop.h"
#include "store.h"
#include "xmalloc.h"

int
cmd_stop(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "wait", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct zpub_err err;
	struct actor who;
	int wait = 0, failed = 0, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'w')
			wait = 1;
		else
			return cli_usage(cli, NULL);
	}
	if (optind >= argc)
		return cli_usage(cli, "name the recordings to stop by id (see 'zpub status')");
	for (int i = optind; i < argc; i++)
		if (cli_parse_id(argv[i]) == 0)
			return cli_usage(cli, "'%s' is not a recording id", argv[i]);
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	actor_local(&who, ACTOR_CLI, cli->tenant_id);
	/* A live holder answers within a progress report; one that hangs loses
	 * its lease after pipeline.lease_ms, and then the stop is finished here. */
	int64_t wait_ms = wait ? 2 * config_int(cli->config, "pipeline.lease_ms", 60000) + 5000 : 0;
	for (int i = optind; i < argc; i++) {
		int64_t id = cli_parse_id(argv[i]);
		struct stop_result res;
		if (stop_recording(cli->store, &who, id, wait_ms, &res, &err) != 0) {
			cli_fail(cli, &err);
			failed = 1;
		} else if (res.done)
			printf("%lld %s stopped\n", (long long)id, status_name(res.status));
		else if (wait) {
			fprintf(stderr, "zpub: recording %lld: %s did not stop within %lld s; it stops"
			    " at its next progress report\n", (long long)id, res.holder,
			    (long long)(wait_ms / 1000));
			failed = 1;
		} else
			printf("%lld %s stopping (asked %s; 'zpub stop %lld --wait' waits for it)\n",
			    (long long)id, status_name(res.status), res.holder, (long long)id);
	}
	return failed;
}
