/*
 * metrics.c — the in-process counters of METRICS (metrics.h) and the
 * Prometheus text writer.  A counter is a (family, label values) pair in a
 * small list under one mutex: the families have few label sets (routes,
 * stages, providers), so a lookup is a short scan.
 */
#include "metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "util.h"

struct family {
	const char *name, *help;
	int n_labels;
	const char *keys[METRICS_MAX_LABELS];
};

static const struct family families[M_COUNT] = {
#define X(id, nm, hp, n, ...) [id] = { nm, hp, n, { __VA_ARGS__ } },
	METRICS(X)
#undef X
};

struct counter {
	enum metric_id id;
	char *labels[METRICS_MAX_LABELS];
	double value;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct counter *counters;
static int n_counters, cap_counters;

static struct counter *
find(enum metric_id id, const char *const *labels, int make)
{
	int n = families[id].n_labels;
	for (int i = 0; i < n_counters; i++) {
		struct counter *c = &counters[i];
		if (c->id != id)
			continue;
		int k;
		for (k = 0; k < n; k++)
			if (strcmp(c->labels[k], labels && labels[k] ? labels[k] : "") != 0)
				break;
		if (k == n)
			return c;
	}
	if (!make)
		return NULL;
	if (n_counters == cap_counters) {
		cap_counters = cap_counters ? cap_counters * 2 : 16;
		counters = xreallocarray(counters, (size_t)cap_counters, sizeof *counters);
	}
	struct counter *c = &counters[n_counters++];
	memset(c, 0, sizeof *c);
	c->id = id;
	for (int k = 0; k < n; k++)
		c->labels[k] = xstrdup(labels && labels[k] ? labels[k] : "");
	return c;
}

void
metrics_add(enum metric_id id, const char *const *labels, double v)
{
	if ((int)id < 0 || id >= M_COUNT || !(v >= 0))
		return;
	pthread_mutex_lock(&mu);
	find(id, labels, 1)->value += v;
	pthread_mutex_unlock(&mu);
}

double
metrics_get(enum metric_id id, const char *const *labels)
{
	pthread_mutex_lock(&mu);
	struct counter *c = find(id, labels, 0);
	double v = c ? c->value : 0;
	pthread_mutex_unlock(&mu);
	return v;
}

/* ---- the writer ---- */

static void
put(struct metrics_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct metrics_text *t, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		size_t room = t->cap - t->len;
		va_start(ap, fmt);
		int n = vsnprintf(t->buf ? t->buf + t->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			t->len += (size_t)n;
			return;
		}
		t->cap = t->cap * 2 + (size_t)n + 256;
		t->buf = xreallocarray(t->buf, t->cap, 1);
	}
}

/* s with backslash, newline and (in label values) double quote escaped. */
static void
put_escaped(struct metrics_text *t, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			put(t, "\\\\");
		else if (*s == '\n')
			put(t, "\\n");
		else if (*s == '"' && quote)
			put(t, "\\\"");
		else
			put(t, "%c", *s);
	}
}

static void
put_value(struct metrics_text *t, double v)
{
	if (isinf(v))
		put(t, v > 0 ? "+Inf" : "-Inf");
	else if (isnan(v))
		put(t, "NaN");
	else if (v == floor(v) && fabs(v) < 1e15)
		put(t, "%.0f", v);
	else
		put(t, "%.17g", v);
}

void
metrics_text_family(struct metrics_text *t, const char *name, const char *type,
    const char *help)
{
	put(t, "# HELP %s ", name);
	put_escaped(t, help, 0);
	put(t, "\n# TYPE %s %s\n", name, type);
}

/* name{k="v",...,extra_key="extra"} value */
static void
sample(struct metrics_text *t, const char *name, const char *suffix, int n,
    const char *const *keys, const char *const *values, const char *extra_key,
    const char *extra, double value)
{
	put(t, "%s%s", name, suffix);
	if (n > 0 || extra_key) {
		put(t, "{");
		for (int i = 0; i < n; i++) {
			put(t, "%s%s=\"", i ? "," : "", keys[i]);
			put_escaped(t, values[i] ? values[i] : "", 1);
			put(t, "\"");
		}
		if (extra_key)
			put(t, "%s%s=\"%s\"", n ? "," : "", extra_key, extra);
		put(t, "}");
	}
	put(t, " ");
	put_value(t, value);
	put(t, "\n");
}

void
metrics_text_sample(struct metrics_text *t, const char *name, int n_labels,
    const char *const *keys, const char *const *values, double value)
{
	sample(t, name, "", n_labels, keys, values, NULL, NULL, value);
}

void
metrics_hist_observe(struct metrics_hist *h, double v)
{
	int i = 0;
	while (i < h->n_bounds && v > h->bounds[i])
		i++;
	h->counts[i]++;
	h->sum += v;
	h->count++;
}

void
metrics_text_hist(struct metrics_text *t, const char *name, int n_labels,
    const char *const *keys, const char *const *values, const struct metrics_hist *h)
{
	uint64_t cum = 0;
	for (int i = 0; i <= h->n_bounds; i++) {
		char le[64];
		if (i == h->n_bounds)
			snprintf(le, sizeof le, "+Inf");
		else
			snprintf(le, sizeof le, "%g", h->bounds[i]);
		cum += h->counts[i];
		sample(t, name, "_bucket", n_labels, keys, values, "le", le, (double)cum);
	}
	sample(t, name, "_sum", n_labels, keys, values, NULL, NULL, h->sum);
	sample(t, name, "_count", n_labels, keys, values, NULL, NULL, (double)h->count);
}

void
metrics_text_counters(struct metrics_text *t)
{
	pthread_mutex_lock(&mu);
	for (int id = 0; id < M_COUNT; id++) {
		const struct family *f = &families[id];
		metrics_text_family(t, f->name, "counter", f->help);
		for (int i = 0; i < n_counters; i++)
			if ((int)counters[i].id == id)
				metrics_text_sample(t, f->name, f->n_labels, f->keys,
				    (const char *const *)counters[i].labels, counters[i].value);
	}
	pthread_mutex_unlock(&mu);
}

/* ---- what the HTTP clients tell ---- */

static void
http_retry_seen(const char *what, int retried)
{
	const char *labels[] = { what };
	metrics_add(retried ? M_PROVIDER_RETRIES : M_PROVIDER_ERRORS, labels, 1);
}

void
metrics_watch_http(void)
{
	http_set_retry_observer(http_retry_seen);
}
