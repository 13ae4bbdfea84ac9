/*
 * config_doc.c — renders the settings table (zs_keys) and the secret names
 * (zs_secrets) as Markdown or roff.  One row per setting: key, type, range
 * or choices, default, who may set it, help; one per secret: name, how it
 * is set, what it is for.  Only the schema goes in, so two runs of any
 * build of the same source print the same bytes.
 */
#include "config_doc.h"

#include <math.h>
#include <string.h>

#include "config_schema.h"

static const struct {
	const char *name;
	enum config_doc_format fmt;
} formats[] = {
	{ "md", CONFIG_DOC_MD },
	{ "markdown", CONFIG_DOC_MD },
	{ "man", CONFIG_DOC_MAN },
	{ "roff", CONFIG_DOC_MAN },
};

int
config_doc_format_parse(const char *name, enum config_doc_format *fmt)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		if (strcmp(formats[i].name, name) == 0) {
			*fmt = formats[i].fmt;
			return 0;
		}
	}
	return -1;
}

/* A bound of a range: whole numbers in full (604800000, not 6.048e+08). */
static void
doc_number(char *buf, size_t len, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%g", v);
}

/* The range or choices of a key in words, e.g. "0..51", "one of a, b",
 * "at most 64 bytes"; "" when the type says it all. */
static void
doc_range(const struct zs_key *k, char *buf, size_t len)
{
	char lo[32], hi[32];
	buf[0] = '\0';
	switch (k->type) {
	case ZS_INT:
	case ZS_NUM:
		doc_number(lo, sizeof lo, k->min);
		doc_number(hi, sizeof hi, k->max);
		snprintf(buf, len, "%s..%s", lo, hi);
		return;
	case ZS_ENUM:
		snprintf(buf, len, "%s", k->choices);
		return;
	case ZS_STR:
		if (k->choices) {    /* "@email" */
			snprintf(buf, len, "an e-mail address");
			return;
		}
		doc_number(hi, sizeof hi, k->max > 0 ? k->max : 4096);
		snprintf(buf, len, "at most %s bytes", hi);
		return;
	case ZS_LIST:
	case ZS_CSV: {
		size_t n = 0;
		if (k->max > 0) {
			doc_number(hi, sizeof hi, k->max);
			n = (size_t)snprintf(buf, len, "at most %s", hi);
		}
		if (k->choices && n < len)
			snprintf(buf + n, len - n, "%s%s", n ? "; " : "",
			    strcmp(k->choices, "@lang") == 0 ? "language codes" :
			    strcmp(k->choices, "@email") == 0 ? "e-mail addresses" : k->choices);
		if (k->type == ZS_CSV && n < len)
			snprintf(buf + strlen(buf), len - strlen(buf), "%sor \"a,b\"", buf[0] ? "; " : "");
		return;
	}
	case ZS_URL:
		if (k->choices) {    /* "smtp|smtps" */
			char *bar = strchr(k->choices, '|');
			snprintf(buf, len, "%.*s:// or %s://", bar ? (int)(bar - k->choices) : 0,
			    k->choices, bar ? bar + 1 : k->choices);
		} else
			snprintf(buf, len, "http:// or https://");
		return;
	case ZS_LANG:
		snprintf(buf, len, "\"\" or ISO 639-1 [-REGION]");
		return;
	case ZS_SWITCH:
		snprintf(buf, len, "false, or an object of the keys below");
		return;
	case ZS_MAP:
		snprintf(buf, len, "object: %s -> string", k->choices ? k->choices : "name");
		return;
	case ZS_BOOL:
	case ZS_ID:
		return;
	}
}

static const char *
doc_owner(enum zs_owner o)
{
	switch (o) {
	case ZS_TENANT:
		return "operator, tenant";
	case ZS_SYSTEM:
		return "operator (zpub writes it per recording)";
	case ZS_OPERATOR:
		break;
	}
	return "operator";
}

/* ---- Markdown ---- */

/* Text in a table cell: what Markdown would read as markup is escaped. */
static void
md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\`*_<>[]|", *s))
			fputc('\\', out);
		fputc(*s, out);
	}
}

/* A code span in a table cell: only the cell separator is escaped. */
static void
md_code(FILE *out, const char *s)
{
	fputc('`', out);
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('`', out);
}

static void
md_write(FILE *out)
{
	char range[256];
	fputs("<!-- Generated from src/base/config_schema.c by `zpub config keys --format md`;"
	    " edit the schema, then run `cmake --build build --target docs`. -->\n\n", out);
	fputs("Settings (`zpub config set KEY VALUE`; a tenant's own with `zpub tenant config`)."
	    " *Set by* says which layers may hold a key: the operator's (defaults, the config"
	    " file, `zpub config set`) hold any; a tenant's config, a template and a recording's"
	    " own layer only tenant keys. A segment `<name>` stands for any name.\n\n", out);
	fputs("| Key | Type | Range or choices | Default | Set by | Help |\n", out);
	fputs("|---|---|---|---|---|---|\n", out);
	for (size_t i = 0; i < zs_n_keys; i++) {
		const struct zs_key *k = &zs_keys[i];
		doc_range(k, range, sizeof range);
		fputs("| ", out);
		md_code(out, k->key);
		fprintf(out, " | %s | ", zs_type_name(k->type));
		md_text(out, range);
		fputs(" | ", out);
		if (k->def)
			md_code(out, k->def);
		else
			fputs("(none)", out);
		fprintf(out, " | %s | ", doc_owner(k->owner));
		md_text(out, k->help);
		fputs(" |\n", out);
	}
	fputs("\nSecrets, kept encrypted in the vault (never in the config file):\n\n", out);
	fputs("| Name | Set with | What it is for |\n", out);
	fputs("|---|---|---|\n", out);
	for (size_t i = 0; i < zs_n_secrets; i++) {
		const struct zs_secret *s = &zs_secrets[i];
		const char *dot = strchr(s->name, '.');
		fputs("| ", out);
		md_code(out, s->name);
		if (s->by_auth)
			fprintf(out, " | `zpub auth %s` | ", dot ? dot + 1 : s->name);
		else
			fprintf(out, " | `zpub secret set %s` | ", s->name);
		md_text(out, s->help);
		fputs(" |\n", out);
	}
}

/* ---- roff ---- */

/* Text inside a line: backslashes and hyphens escaped. */
static void
man_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

/* Text that starts a line: \& first, so a leading . or ' is never read as
 * a request. */
static void
man_text(FILE *out, const char *s)
{
	fputs("\\&", out);
	man_escaped(out, s);
}

static void
man_write(FILE *out)
{
	char range[256];
	fputs(".\\\" Generated from src/base/config_schema.c by `zpub config keys --format man`.\n", out);
	fputs(".SH CONFIGURATION\n", out);
	fputs("Settings are set with\n.B zpub config set\n.I KEY VALUE\n"
	    "(a tenant's own with\n.BR \"zpub tenant config\" ).\n"
	    "The operator's layers (defaults, the config file,\n.BR \"zpub config set\" )\n"
	    "may hold any key; a tenant's config, a template and a recording's own layer\n"
	    "only the keys that say\n.IR \"set by operator, tenant\" .\n"
	    "A segment\n.I <name>\nstands for any name.\n", out);
	for (size_t i = 0; i < zs_n_keys; i++) {
		const struct zs_key *k = &zs_keys[i];
		doc_range(k, range, sizeof range);
		fputs(".TP\n.B ", out);
		man_text(out, k->key);
		fputc('\n', out);
		man_text(out, zs_type_name(k->type));
		if (range[0]) {
			fputc(' ', out);
			man_escaped(out, range);
		}
		fputs("; default ", out);
		man_escaped(out, k->def ? k->def : "(none)");
		fprintf(out, "; set by %s.\n.br\n", doc_owner(k->owner));
		man_text(out, k->help);
		fputc('\n', out);
	}
	fputs(".SH SECRETS\n", out);
	fputs("Kept encrypted in the vault, never in the config file; set with\n"
	    ".B zpub secret set\n.I NAME\n(the value is read from standard input) or written by\n"
	    ".BR \"zpub auth\" .\n", out);
	for (size_t i = 0; i < zs_n_secrets; i++) {
		const struct zs_secret *s = &zs_secrets[i];
		fputs(".TP\n.B ", out);
		man_text(out, s->name);
		fputc('\n', out);
		man_text(out, s->help);
		fputc('\n', out);
	}
}

void
config_doc_write(FILE *out, enum config_doc_format fmt)
{
	if (fmt == CONFIG_DOC_MAN)
		man_write(out);
	else
		md_write(out);
}
