/*
 * testutil.h — helpers shared by the unit tests: scratch folders.
 */
#ifndef ZPUB_TESTUTIL_H
#define ZPUB_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#endif
