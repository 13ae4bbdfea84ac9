/*
 * sqldb_pg.c — the SQL interface on PostgreSQL through libpq: the store that
 * daemons on several hosts share.
 *
 * Queries arrive with SQLite's placeholders and are rewritten to `$N`;
 * parameters travel as text (blobs as binary) typed by how they were bound
 * (int8, float8, text, bytea); a NULL is left for the server to type from
 * the query, so a parameter only ever tested with IS NULL is written
 * CAST(? AS TEXT) IS NULL in the store's queries.  A whole result is
 * fetched at once and stepped through like SQLite's rows.
 *
 * A lost connection is found before a statement is sent (PQconsumeInput sees
 * the server's goodbye) and, outside a transaction, opened again with the
 * pipeline's backoff for up to SDB_PG_WAIT_MS; a statement cut off in flight
 * is repeated only when it changed nothing (a read, a BEGIN).  Inside a transaction the loss is an
 * error: the caller rolls back and tries its unit of work again.  Messages
 * name the database by host and name and never carry the password.
 */
#include "sqldb_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "util.h"

/* How long a statement outside a transaction waits for the server to come
 * back before it fails (ZPUB_DB_WAIT_S overrides, for tests and operators). */
#define SDB_PG_WAIT_MS	(5 * 60 * 1000)
/* More parameters than any store query has. */
#define SDB_PG_MAXP	99

/* Type OIDs (pg_type.h, stable across versions). */
#define OID_BOOL	16
#define OID_BYTEA	17
#define OID_INT8	20
#define OID_INT2	21
#define OID_INT4	23
#define OID_TEXT	25
#define OID_OID		26
#define OID_FLOAT4	700
#define OID_FLOAT8	701
#define OID_NUMERIC	1700

struct pg {
	struct sdb head;
	PGconn *c;
	char *url;		/* kept only to connect again; never printed */
	char *msg;		/* the last error, one line */
	enum sdb_errclass cls;
	int changes;
	int in_tx;
	int listening;
	int64_t version;
	int64_t wait_ms;
};

struct pg_stmt {
	struct sdb_stmt head;
	char *sql;
	int nparams;
	char **vals;
	int *lens;
	int *fmts;
	Oid *types;
	unsigned char *unused;
	PGresult *res;
	int row;		/* the row stepped to; -1 before the first */
	int nrows;
	unsigned char *blob;	/* the decoded bytea of (blob_row, blob_col) */
	size_t blob_n;
	int blob_row, blob_col;
};

#define P(db)	((struct pg *)(db))
#define PS(st)	((struct pg_stmt *)(st))

static void
set_err(struct pg *p, enum sdb_errclass cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(struct pg *p, enum sdb_errclass cls, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	free(p->msg);
	p->msg = xstrdup(buf);
	p->cls = cls;
}

/* libpq's messages run over lines ("FATAL:  ...\nDETAIL: ..."): the first
 * line, with runs of blanks made one. */
static char *
one_line(const char *m)
{
	char *o = xstrdup(m ? m : "unknown error");
	char *w = o;
	for (const char *r = o; *r && *r != '\n'; r++) {
		if (isspace((unsigned char)*r) && w > o && w[-1] == ' ')
			continue;
		*w++ = isspace((unsigned char)*r) ? ' ' : *r;
	}
	while (w > o && w[-1] == ' ')
		w--;
	*w = '\0';
	return o;
}

static enum sdb_errclass
class_of(const char *state)
{
	if (state == NULL)
		return SDB_E_OTHER;
	if (strcmp(state, "23505") == 0)
		return SDB_E_UNIQUE;
	if (strncmp(state, "23", 2) == 0)
		return SDB_E_CONSTRAINT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0)
		return SDB_E_BUSY;
	if (strcmp(state, "53100") == 0)
		return SDB_E_FULL;
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0)
		return SDB_E_CONN;
	return SDB_E_OTHER;
}

static void
result_err(struct pg *p, PGresult *r)
{
	const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char *line = one_line(m ? m : PQerrorMessage(p->c));
	enum sdb_errclass cls = PQstatus(p->c) != CONNECTION_OK ? SDB_E_CONN :
	    class_of(r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL);
	set_err(p, cls, "%s", line);
	free(line);
}

static void
quiet_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;	/* "relation exists, skipping" and the like: not the user's concern */
}

/* "database zpub on 10.0.0.5:5432" from a URL, with no password. */
static char *
url_name(const char *url)
{
	char *e = NULL;
	PQconninfoOption *o = PQconninfoParse(url, &e), *i;
	const char *host = NULL, *port = NULL, *dbname = NULL, *user = NULL;
	PQfreemem(e);
	for (i = o; i && i->keyword; i++) {
		if (i->val == NULL)
			continue;
		if (strcmp(i->keyword, "host") == 0 || (host == NULL &&
		    strcmp(i->keyword, "hostaddr") == 0))
			host = i->val;
		else if (strcmp(i->keyword, "port") == 0)
			port = i->val;
		else if (strcmp(i->keyword, "dbname") == 0)
			dbname = i->val;
		else if (strcmp(i->keyword, "user") == 0)
			user = i->val;
	}
	char *n = xasprintf("database %s on %s%s%s", dbname ? dbname : user ? user : "?",
	    host ? host : "the local socket", port ? ":" : "", port ? port : "");
	PQconninfoFree(o);
	return n;
}

static int
connect_once(struct pg *p)
{
	if (p->c)
		PQfinish(p->c);
	p->c = PQconnectdb(p->url);
	if (p->c && PQstatus(p->c) == CONNECTION_OK) {
		PQsetNoticeProcessor(p->c, quiet_notice, NULL);
		/* Every host reads and writes UTC milliseconds and UTF-8. */
		PGresult *r = PQexec(p->c, "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'");
		PQclear(r);
		p->in_tx = 0;
		if (p->listening) {
			r = PQexec(p->c, "LISTEN zpub_changes");
			PQclear(r);
			p->version++;	/* what happened while away is unknown: look again */
		}
		return 0;
	}
	/* libpq starts with where it connected, which the name says already;
	 * a FATAL is the server's answer: it was reached, and refused. */
	const char *m = p->c ? PQerrorMessage(p->c) : "out of memory";
	const char *fatal = strstr(m, "FATAL:"), *at = strstr(m, " failed: ");
	if (fatal == NULL && at && strncmp(m, "connection to server", 20) == 0)
		m = at + 9;
	char *line = one_line(fatal ? fatal + 6 : m);
	/* a refused login is not waited on: waiting will not mend it */
	int auth = fatal && (strstr(m, "authentication failed") ||
	    strstr(m, "no password supplied") || (strstr(m, "role \"") &&
	    strstr(m, "does not exist")));
	if (fatal)
		set_err(p, auth ? SDB_E_AUTH : SDB_E_CONN, "the %s refused the connection: %s",
		    p->head.name, line + strspn(line, " "));
	else
		set_err(p, SDB_E_CONN, "cannot reach the %s: %s", p->head.name, line);
	free(line);
	return SDB_ERROR;
}

/* Outside a transaction, a lost connection is opened again, waiting with
 * backoff while the server is away. */
static int
ensure_conn(struct pg *p)
{
	if (PQstatus(p->c) == CONNECTION_OK)
		PQconsumeInput(p->c);	/* notices a server that said goodbye */
	if (PQstatus(p->c) == CONNECTION_OK)
		return 0;
	if (p->in_tx) {
		set_err(p, SDB_E_CONN, "the connection to the %s was lost inside a transaction;"
		    " it was rolled back", p->head.name);
		return SDB_ERROR;
	}
	int64_t start = time_mono_ms();
	for (int attempt = 1;; attempt++) {
		if (connect_once(p) == 0) {
			if (attempt > 1)
				log_info("connected to the %s again", p->head.name);
			return 0;
		}
		if (p->cls == SDB_E_AUTH) {	/* waiting will not mend it */
			log_error("%s", p->msg);
			return SDB_ERROR;
		}
		int64_t wait = backoff_ms(attempt, 500, 15000);
		if (time_mono_ms() - start + wait > p->wait_ms) {
			log_error("%s; gave up after %" PRId64 " s", p->msg,
			    (time_mono_ms() - start) / 1000);
			return SDB_ERROR;
		}
		log_warn("%s; trying again in %.1f s", p->msg, (double)wait / 1000);
		sleep_ms(wait);
	}
}

/* SQLite's `?` and `?N` become `$N`; a bare `?` takes one more than the
 * largest number given so far, as in SQLite.  Quoted text and comments pass
 * untouched. */
static char *
translate(const char *sql, int *nparams, unsigned char used[SDB_PG_MAXP + 1])
{
	size_t cap = strlen(sql) * 2 + 16, n = 0;
	char *o = xmalloc(cap);
	int max = 0;
	for (const char *r = sql; *r;) {
		if (n + 16 >= cap)
			o = xrealloc(o, cap *= 2);
		if (*r == '\'' || *r == '"') {
			char q = *r;
			o[n++] = *r++;
			while (*r && *r != q) {
				if (n + 2 >= cap)
					o = xrealloc(o, cap *= 2);
				o[n++] = *r++;
			}
			if (*r)
				o[n++] = *r++;
		} else if (r[0] == '-' && r[1] == '-') {
			while (*r && *r != '\n') {
				if (n + 2 >= cap)
					o = xrealloc(o, cap *= 2);
				o[n++] = *r++;
			}
		} else if (*r == '?') {
			int k;
			r++;
			if (isdigit((unsigned char)*r)) {
				k = (int)strtol(r, (char **)&r, 10);
			} else
				k = max + 1;
			if (k > max)
				max = k;
			if (k >= 1 && k <= SDB_PG_MAXP)
				used[k] = 1;
			n += (size_t)snprintf(o + n, cap - n, "$%d", k);
		} else
			o[n++] = *r++;
	}
	o[n] = '\0';
	*nparams = max;
	return o;
}

static void
clear_result(struct pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
	free(s->blob);
	s->blob = NULL;
	s->blob_row = s->blob_col = -1;
}

static void
pg_close(struct sdb *db)
{
	PQfinish(P(db)->c);
	free(P(db)->url);
	free(P(db)->msg);
	free(db->name);
	free(db);
}

static int
pg_prepare(struct sdb *db, const char *sql, struct sdb_stmt **out)
{
	struct pg_stmt *s = xcalloc(1, sizeof *s);
	unsigned char used[SDB_PG_MAXP + 1] = { 0 };
	s->head.db = db;
	s->sql = translate(sql, &s->nparams, used);
	if (s->nparams > SDB_PG_MAXP) {
		set_err(P(db), SDB_E_OTHER, "a query with %d parameters (at most %d)", s->nparams,
		    SDB_PG_MAXP);
		free(s->sql);
		free(s);
		return SDB_ERROR;
	}
	if (s->nparams > 0) {
		s->vals = xcalloc((size_t)s->nparams, sizeof *s->vals);
		s->lens = xcalloc((size_t)s->nparams, sizeof *s->lens);
		s->fmts = xcalloc((size_t)s->nparams, sizeof *s->fmts);
		s->types = xcalloc((size_t)s->nparams, sizeof *s->types);
		s->unused = xcalloc((size_t)s->nparams, 1);
		/* A number the query skips (a shared WHERE without the LIMIT's ?4)
		 * still needs a type; text will do. */
		for (int i = 0; i < s->nparams; i++)
			if (!used[i + 1]) {
				s->unused[i] = 1;
				s->types[i] = OID_TEXT;
			}
	}
	s->row = -1;
	s->blob_row = s->blob_col = -1;
	*out = &s->head;
	return 0;
}

/* A statement that may be sent again when the connection broke under it
 * outside a transaction: it changed nothing (a read, or BEGIN: the
 * transaction starts again on the new connection). */
static int
repeatable(const char *sql)
{
	while (isspace((unsigned char)*sql))
		sql++;
	return (strncasecmp(sql, "SELECT", 6) == 0 || strncasecmp(sql, "BEGIN", 5) == 0) &&
	    strchr(sql, ';') == NULL;
}

/* Runs s (or plain sql when s is NULL) with the connection's rules; the
 * result, or NULL with the error set. */
static PGresult *
run(struct pg *p, struct pg_stmt *s, const char *sql)
{
	const char *text = s ? s->sql : sql;
	int ending = strncasecmp(text, "ROLLBACK", 8) == 0;
	if (ending && PQstatus(p->c) != CONNECTION_OK) {
		p->in_tx = 0;	/* the server rolled back when the connection went */
		return PQmakeEmptyPGresult(NULL, PGRES_COMMAND_OK);
	}
	for (int tries = 0;; tries++) {
		int was_in_tx = p->in_tx;
		if (ensure_conn(p) != 0)
			return NULL;
		PGresult *r = s ? PQexecParams(p->c, s->sql, s->nparams, s->types,
		    (const char *const *)s->vals, s->lens, s->fmts, 0) : PQexec(p->c, sql);
		ExecStatusType es = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
		p->in_tx = PQtransactionStatus(p->c) == PQTRANS_INTRANS ||
		    PQtransactionStatus(p->c) == PQTRANS_INERROR ||
		    (PQstatus(p->c) != CONNECTION_OK && was_in_tx);
		if (es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK) {
			const char *ct = PQcmdTuples(r);
			p->changes = ct && *ct ? atoi(ct) : 0;
			p->cls = SDB_E_NONE;
			return r;
		}
		result_err(p, r);
		PQclear(r);
		/* Cut off in flight: a read or a BEGIN outside a transaction is
		 * safe to repeat. */
		if (p->cls == SDB_E_CONN && !was_in_tx && tries == 0 && repeatable(text))
			continue;
		if (p->cls == SDB_E_CONN)
			log_warn("the %s: %s", p->head.name, p->msg);
		return NULL;
	}
}

static int
pg_step(struct sdb_stmt *st)
{
	struct pg_stmt *s = PS(st);
	if (s->res == NULL) {
		if ((s->res = run(P(st->db), s, NULL)) == NULL)
			return SDB_ERROR;
		s->nrows = PQresultStatus(s->res) == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
		s->row = -1;
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return SDB_ROW;
	}
	s->row = s->nrows;
	return SDB_DONE;
}

static void
pg_reset(struct sdb_stmt *st)
{
	clear_result(PS(st));
}

static void
pg_finalize(struct sdb_stmt *st)
{
	struct pg_stmt *s = PS(st);
	clear_result(s);
	for (int i = 0; i < s->nparams; i++)
		free(s->vals[i]);
	free(s->vals);
	free(s->lens);
	free(s->fmts);
	free(s->types);
	free(s->unused);
	free(s->sql);
	free(s);
}

static void
pg_bind(struct sdb_stmt *st, int i, const struct sdb_val *v)
{
	struct pg_stmt *s = PS(st);
	if (i < 1 || i > s->nparams || s->unused[i - 1])
		return;
	i--;
	free(s->vals[i]);
	s->vals[i] = NULL;
	s->lens[i] = 0;
	s->fmts[i] = 0;
	s->types[i] = 0;
	switch (v->type) {
	case SDB_INTEGER:
		s->vals[i] = xasprintf("%" PRId64, v->i);
		s->types[i] = OID_INT8;
		break;
	case SDB_FLOAT:
		s->vals[i] = xasprintf("%.17g", v->d);
		s->types[i] = OID_FLOAT8;
		break;
	case SDB_TEXT:
		s->types[i] = OID_TEXT;
		s->vals[i] = xmalloc(v->n + 1);
		memcpy(s->vals[i], v->p, v->n);
		s->vals[i][v->n] = '\0';
		break;
	case SDB_BLOB:
		s->vals[i] = xmalloc(v->n + 1);
		if (v->n)
			memcpy(s->vals[i], v->p, v->n);
		s->lens[i] = (int)v->n;
		s->fmts[i] = 1;
		s->types[i] = OID_BYTEA;
		break;
	}
}

static int
cell_ok(struct pg_stmt *s, int i)
{
	return s->res && s->row >= 0 && s->row < s->nrows && i >= 0 && i < PQnfields(s->res) &&
	    !PQgetisnull(s->res, s->row, i);
}

static int
pg_col_type(struct sdb_stmt *st, int i)
{
	struct pg_stmt *s = PS(st);
	if (!cell_ok(s, i))
		return SDB_NULL;
	switch (PQftype(s->res, i)) {
	case OID_BOOL: case OID_INT2: case OID_INT4: case OID_INT8: case OID_OID:
		return SDB_INTEGER;
	case OID_FLOAT4: case OID_FLOAT8: case OID_NUMERIC:
		return SDB_FLOAT;
	case OID_BYTEA:
		return SDB_BLOB;
	default:
		return SDB_TEXT;
	}
}

static int64_t
pg_col_int64(struct sdb_stmt *st, int i)
{
	struct pg_stmt *s = PS(st);
	if (!cell_ok(s, i))
		return 0;
	const char *v = PQgetvalue(s->res, s->row, i);
	if (PQftype(s->res, i) == OID_BOOL)
		return *v == 't';
	if (PQftype(s->res, i) == OID_FLOAT4 || PQftype(s->res, i) == OID_FLOAT8 ||
	    PQftype(s->res, i) == OID_NUMERIC)
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

static double
pg_col_double(struct sdb_stmt *st, int i)
{
	struct pg_stmt *s = PS(st);
	return cell_ok(s, i) ? strtod(PQgetvalue(s->res, s->row, i), NULL) : 0;
}

static const unsigned char *
pg_col_text(struct sdb_stmt *st, int i)
{
	struct pg_stmt *s = PS(st);
	if (!cell_ok(s, i))
		return NULL;
	if (PQftype(s->res, i) == OID_BOOL)	/* as SQLite would say it */
		return (const unsigned char *)(*PQgetvalue(s->res, s->row, i) == 't' ? "1" : "0");
	return (const unsigned char *)PQgetvalue(s->res, s->row, i);
}

static int
decode_blob(struct pg_stmt *s, int i)
{
	if (s->blob_row == s->row && s->blob_col == i)
		return 0;
	free(s->blob);
	s->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, i),
	    &s->blob_n);
	if (s->blob == NULL)
		return -1;
	s->blob_row = s->row;
	s->blob_col = i;
	return 0;
}

static const void *
pg_col_blob(struct sdb_stmt *st, int i)
{
	struct pg_stmt *s = PS(st);
	if (!cell_ok(s, i))
		return NULL;
	if (PQftype(s->res, i) != OID_BYTEA)
		return PQgetvalue(s->res, s->row, i);
	return decode_blob(s, i) == 0 ? s->blob : NULL;
}

static int
pg_col_bytes(struct sdb_stmt *st, int i)
{
	struct pg_stmt *s = PS(st);
	if (!cell_ok(s, i))
		return 0;
	if (PQftype(s->res, i) != OID_BYTEA)
		return PQgetlength(s->res, s->row, i);
	return decode_blob(s, i) == 0 ? (int)s->blob_n : 0;
}

static int
pg_col_count(struct sdb_stmt *st)
{
	return PS(st)->res ? PQnfields(PS(st)->res) : 0;
}

static const char *
pg_col_name(struct sdb_stmt *st, int i)
{
	return PS(st)->res ? PQfname(PS(st)->res, i) : NULL;
}

static int
pg_exec(struct sdb *db, const char *sql)
{
	PGresult *r = run(P(db), NULL, sql);
	PQclear(r);
	return r ? 0 : SDB_ERROR;
}

static int
pg_changes(struct sdb *db)
{
	return P(db)->changes;
}

static int
pg_in_tx(struct sdb *db)
{
	return P(db)->in_tx;
}

static enum sdb_errclass
pg_errclass(struct sdb *db)
{
	return P(db)->cls;
}

static const char *
pg_errmsg(struct sdb *db)
{
	return P(db)->msg ? P(db)->msg : "no error";
}

/* LISTEN/NOTIFY: the store's tables notify zpub_changes on every change
 * (migration 018); each notice seen moves the number on. */
static int64_t
pg_data_version(struct sdb *db)
{
	struct pg *p = P(db);
	if (!p->listening) {
		PGresult *r = PQexec(p->c, "LISTEN zpub_changes");
		int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		if (!ok)
			return -1;
		p->listening = 1;
		p->version = 1;
	}
	if (PQstatus(p->c) == CONNECTION_OK)
		PQconsumeInput(p->c);
	if (PQstatus(p->c) != CONNECTION_OK) {
		/* One quick try; a view must not freeze while the server is away. */
		if (!p->in_tx && connect_once(p) != 0)
			return -1;
		return p->version;
	}
	PGnotify *n;
	while ((n = PQnotifies(p->c)) != NULL) {
		p->version++;
		PQfreemem(n);
	}
	return p->version;
}

static const struct sdb_ops pg_ops = {
	pg_close, pg_prepare, pg_step, pg_reset, pg_finalize, pg_bind,
	pg_col_type, pg_col_int64, pg_col_double, pg_col_text, pg_col_blob,
	pg_col_bytes, pg_col_count, pg_col_name, pg_exec, pg_changes, pg_in_tx, pg_errclass,
	pg_errmsg, pg_data_version,
};

int
sdb_url_has_password(const char *url)
{
	char *e = NULL;
	int has = 0;
	PQconninfoOption *o = PQconninfoParse(url, &e);
	PQfreemem(e);
	for (PQconninfoOption *i = o; i && i->keyword; i++)
		if (strcmp(i->keyword, "password") == 0 && i->val && *i->val)
			has = 1;
	PQconninfoFree(o);
	return has;
}

/* 1 when libpq's complaint about url quotes the URL or its password
 * (scheme://user:PASSWORD@host...), so it must not be shown. */
static int
url_secret_in(const char *url, const char *msg)
{
	const char *auth = strstr(url, "://");
	if (strstr(msg, url))
		return 1;
	if (auth == NULL)
		return 0;
	auth += 3;
	size_t n = strcspn(auth, "/?");
	const char *at = NULL, *colon;
	for (const char *c = auth; c < auth + n; c++)
		if (*c == '@')
			at = c;
	if (at == NULL || (colon = memchr(auth, ':', (size_t)(at - auth))) == NULL ||
	    colon + 1 == at)
		return 0;
	char *pw = xstrndup(colon + 1, (size_t)(at - colon - 1));
	int in = strstr(msg, pw) != NULL;
	free(pw);
	return in;
}

int
sdb_pg_open(const char *url, struct sdb **out, char **why)
{
	char *e = NULL;
	PQconninfoOption *o = PQconninfoParse(url, &e);
	if (o == NULL) {
		char *line = one_line(e ? e : "out of memory");
		int hide = url_secret_in(url, line);
		*why = xasprintf("the database URL is not valid%s%s%s; write it as"
		    " postgresql://USER:PASS@HOST:PORT/NAME (%%XX for special characters)",
		    hide ? "" : " (", hide ? "" : line, hide ? "" : ")");
		free(line);
		PQfreemem(e);
		return SDB_ERROR;
	}
	PQconninfoFree(o);
	struct pg *p = xcalloc(1, sizeof *p);
	p->head.kind = SDB_PG;
	p->head.ops = &pg_ops;
	p->head.name = url_name(url);
	p->url = xstrdup(url);
	const char *w = getenv("ZPUB_DB_WAIT_S");
	p->wait_ms = w && *w ? strtoll(w, NULL, 10) * 1000 : SDB_PG_WAIT_MS;
	if (connect_once(p) != 0) {
		*why = xstrdup(p->msg);
		pg_close(&p->head);
		return SDB_ERROR;
	}
	*out = &p->head;
	return 0;
}
