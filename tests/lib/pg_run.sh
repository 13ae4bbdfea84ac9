#!/usr/bin/env bash
# pg_run.sh PROGRAM [ARGS] — runs a store test program against a throw-away
# PostgreSQL server (tests/lib/pg.sh): each test folder gets its own fresh
# database (testutil.h's test_db()).  The same programs run on SQLite
# without this wrapper: the store's suite covers both back ends.
set -euo pipefail
. "$(dirname "$0")/pg.sh"
pg_require
trap pg_stop EXIT
pg_start >/dev/null
export ZPUB_TEST_PG_ADMIN="$ZPUB_PG_ADMIN_URL"
export ZPUB_TEST_PG_BASE="postgresql://zpub:$ZPUB_PG_PASSWORD@127.0.0.1:$ZPUB_PG_PORT/"
rc=0
"$@" || rc=$?
[ $rc -eq 0 ] || { echo "--- server log ---"; pg_log | tail -30; }
exit $rc
