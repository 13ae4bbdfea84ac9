/*
 * fold_text.c — a filter for tests: writes its standard input folded as
 * search folds it (text.h's text_fold, TEXT_FOLD_SEARCH), so a test can
 * compare another implementation of the folding (PostgreSQL's zpub_fold in
 * src/db/migrations/pg/001_init.sql) with the C one, code point by code point.
 */
#include <stdio.h>
#include <stdlib.h>

#include "text.h"

int
main(void)
{
	size_t len = 0, cap = 1 << 16, n;
	char *in = malloc(cap), *out;

	if (in == NULL)
		return 1;
	while ((n = fread(in + len, 1, cap - len, stdin)) > 0) {
		len += n;
		if (len == cap && (in = realloc(in, cap *= 2)) == NULL)
			return 1;
	}
	if ((out = malloc(len * 2 + 1)) == NULL)
		return 1;
	n = text_fold(in, len, out, TEXT_FOLD_SEARCH);
	if (fwrite(out, 1, n, stdout) != n || fflush(stdout) != 0)
		return 1;
	free(in);
	free(out);
	return 0;
}
