/*
 * config_doc.h — the settings table and the vault's secret names of
 * config_schema.c written out as documentation: a Markdown reference (the
 * README's "Configuration reference") and the CONFIGURATION and SECRETS
 * sections of the man page.  The committed copies are regenerated from
 * these by `cmake --build build --target docs`, and e2e/docs_current fails
 * when they differ, so the documents cannot drift from the schema.
 */
#ifndef ZPUB_CONFIG_DOC_H
#define ZPUB_CONFIG_DOC_H

#include <stdio.h>

enum config_doc_format {
	CONFIG_DOC_MD,     /* Markdown tables */
	CONFIG_DOC_MAN,    /* roff for zpub(1) */
};

/* Looks a format up by name ("md", "man"); 0 when found, else -1. */
int config_doc_format_parse(const char *name, enum config_doc_format *fmt);

/* Writes every setting and every secret name in fmt to out.  The output
 * depends only on the schema (never on the current configuration). */
void config_doc_write(FILE *out, enum config_doc_format fmt);

#endif
