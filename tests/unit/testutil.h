/*
 * testutil.h — helpers shared by the unit tests: scratch folders.
 */
#ifndef ZPUB_TESTUTIL_H
#define ZPUB_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "util.h"

/* A fresh scratch folder under ZPUB_TESTTMP (or /tmp); malloc'd. */
static inline char *
test_tmpdir(const char *name)
{
	const char *base = getenv("ZPUB_TESTTMP");
	char *dir = xasprintf("%s/%s-%d", base && *base ? base : "/tmp", name, (int)getpid());
	fs_remove_tree(dir);
	fs_mkdir_p(dir, 0700, NULL);
	return dir;
}

/* 1 when the store tests run against PostgreSQL (tests/lib/pg_run.sh). */
static inline int
test_pg(void)
{
	const char *a = getenv("ZPUB_TEST_PG_ADMIN");
	return a && *a;
}

/* Where a test's store lives: zpub.db in dir, or under tests/lib/pg_run.sh
 * a fresh PostgreSQL database named after dir (made the first time dir asks,
 * the same one after).  malloc'd. */
static inline char *
test_db(const char *dir)
{
	if (!test_pg())
		return path_join(dir, "zpub.db");
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = dir; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	char name[32];
	snprintf(name, sizeof name, "t_%016llx", (unsigned long long)h);
	char *mark = path_join(dir, ".pgdb");
	if (access(mark, F_OK) != 0) {
		PGconn *c = PQconnectdb(getenv("ZPUB_TEST_PG_ADMIN"));
		char *q = xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
		PQclear(PQexec(c, q));
		free(q);
		q = xasprintf("CREATE DATABASE %s OWNER zpub", name);
		PGresult *r = PQexec(c, q);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			fprintf(stderr, "test_db: %s", PQerrorMessage(c));
			abort();
		}
		PQclear(r);
		free(q);
		PQfinish(c);
		FILE *f = fopen(mark, "w");
		if (f)
			fclose(f);
	}
	free(mark);
	return xasprintf("%s%s", getenv("ZPUB_TEST_PG_BASE"), name);
}

#endif
