/*
 * listener.c — loopback HTTP listener: libuv TCP + http-parser, one route
 * callback.  Each connection is parsed with a size cap; a complete request
 * goes to the route, whose reply is sent with "Connection: close".  Bad
 * requests (malformed, too large) are answered here and change nothing.
 */
#include "net/listener.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>
#include <uv.h>

#include "util.h"

struct listener {
	uv_loop_t loop;
	uv_tcp_t server;
	uv_timer_t timeout;
	struct lsn_opts opts;
	int port;
	int connections;
	int finished;       /* route said done */
	int timed_out;
	int closing;
};

struct conn {
	uv_tcp_t tcp;
	struct listener *l;
	http_parser parser;
	char *url;
	size_t url_len;
	char *body;
	size_t body_len;
	size_t total;       /* bytes received */
	int complete;
	int replied;
	int headers_done;
	char *hname, *hvalue;   /* header being parsed */
	size_t hname_len, hvalue_len;
	int in_value;
	char *authorization, *content_type;
	int too_large;      /* Content-Length says the body will not fit */
	size_t drained;     /* bytes thrown away after the reply */
	uv_shutdown_t shutdown;
	char peer[64];
};

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	default: return "Status";
	}
}

static void
conn_closed(uv_handle_t *h)
{
	struct conn *c = h->data;
	c->l->connections--;
	if (c->authorization) {
		memset(c->authorization, 0, strlen(c->authorization));
		free(c->authorization);
	}
	free(c->content_type);
	free(c->hname);
	free(c->hvalue);
	free(c->url);
	free(c->body);
	free(c);
}

static void
conn_close(struct conn *c)
{
	if (!uv_is_closing((uv_handle_t *)&c->tcp))
		uv_close((uv_handle_t *)&c->tcp, conn_closed);
}

static void on_grace(uv_timer_t *t);

static void
close_idle(uv_handle_t *h, void *arg)
{
	struct listener *l = arg;
	if (h->type == UV_TCP && h->data != l && !uv_is_closing(h)) {
		struct conn *c = h->data;
		if (!c->replied)
			conn_close(c);
	}
}

static void
listener_stop(struct listener *l)
{
	if (l->closing)
		return;
	l->closing = 1;
	uv_walk(&l->loop, close_idle, l);
	/* replies in flight get a second to reach their browsers */
	uv_timer_start(&l->timeout, on_grace, 1000, 0);
	uv_close((uv_handle_t *)&l->server, NULL);
}

struct write_req {
	uv_write_t w;
	char *buf;
	struct conn *c;
};

static void
on_shutdown(uv_shutdown_t *sh, int status)
{
	(void)sh;
	(void)status;
}

static void
on_written(uv_write_t *w, int status)
{
	struct write_req *wr = (struct write_req *)w;
	/* half-close and read until the peer closes, so it gets the whole reply
	 * (closing with unread input would reset the connection) */
	if (status < 0 || uv_shutdown(&wr->c->shutdown, (uv_stream_t *)&wr->c->tcp, on_shutdown) != 0)
		conn_close(wr->c);
	free(wr->buf);
	free(wr);
}

static void
conn_reply(struct conn *c, int status, const char *ctype, const char *body)
{
	struct write_req *wr;
	int n;

	if (c->replied)
		return;
	c->replied = 1;
	if (body == NULL)
		body = "";
	wr = calloc(1, sizeof *wr);
	if (wr == NULL) {
		conn_close(c);
		return;
	}
	n = asprintf(&wr->buf,
	    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	    "Connection: close\r\n\r\n%s",
	    status, status_text(status), ctype ? ctype : "text/html; charset=utf-8",
	    strlen(body), body);
	if (n < 0) {
		free(wr);
		conn_close(c);
		return;
	}
	wr->c = c;
	uv_buf_t b = uv_buf_init(wr->buf, (unsigned)n);
	if (uv_write(&wr->w, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0) {
		free(wr->buf);
		free(wr);
		conn_close(c);
	}
}

static int
append(char **dst, size_t *len, const char *at, size_t n)
{
	char *p = realloc(*dst, *len + n + 1);
	if (p == NULL)
		return -1;
	memcpy(p + *len, at, n);
	*len += n;
	p[*len] = '\0';
	*dst = p;
	return 0;
}

static int
on_url(http_parser *p, const char *at, size_t n)
{
	struct conn *c = p->data;
	return append(&c->url, &c->url_len, at, n);
}

/* Keeps the finished header if it is one routes may read. */
static void
header_done(struct conn *c)
{
	char **slot = NULL;
	if (c->hname == NULL)
		return;
	if (strcasecmp(c->hname, "Authorization") == 0)
		slot = &c->authorization;
	else if (strcasecmp(c->hname, "Content-Type") == 0)
		slot = &c->content_type;
	if (slot != NULL && *slot == NULL) {
		*slot = c->hvalue ? c->hvalue : xstrdup("");
		c->hvalue = NULL;
	}
	free(c->hname);
	if (c->hvalue) {
		memset(c->hvalue, 0, c->hvalue_len);
		free(c->hvalue);
	}
	c->hname = c->hvalue = NULL;
	c->hname_len = c->hvalue_len = 0;
	c->in_value = 0;
}

static int
on_header_field(http_parser *p, const char *at, size_t n)
{
	struct conn *c = p->data;
	if (c->in_value)
		header_done(c);
	return append(&c->hname, &c->hname_len, at, n);
}

static int
on_header_value(http_parser *p, const char *at, size_t n)
{
	struct conn *c = p->data;
	c->in_value = 1;
	return append(&c->hvalue, &c->hvalue_len, at, n);
}

static int
on_body(http_parser *p, const char *at, size_t n)
{
	struct conn *c = p->data;
	return append(&c->body, &c->body_len, at, n);
}

static int
on_headers_complete(http_parser *p)
{
	struct conn *c = p->data;
	size_t max = c->l->opts.max_request_bytes ? c->l->opts.max_request_bytes : 16384;
	header_done(c);
	c->headers_done = 1;
	if (p->content_length != ULLONG_MAX && p->content_length > max) {
		c->too_large = 1;
		http_parser_pause(p, 1);
	}
	return 0;
}

static int
on_message_complete(http_parser *p)
{
	struct conn *c = p->data;
	c->complete = 1;
	http_parser_pause(p, 1); /* one request per connection */
	return 0;
}

static const http_parser_settings parser_settings = {
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_body = on_body,
	.on_headers_complete = on_headers_complete,
	.on_message_complete = on_message_complete,
};

static void
conn_dispatch(struct conn *c)
{
	struct listener *l = c->l;
	struct lsn_reply reply = {0};
	struct lsn_request req = {0};
	char *q;

	if (l->finished) {
		conn_reply(c, 404, NULL, "<p>This sign-in page has already been used.</p>");
		return;
	}
	if (c->url == NULL || c->url[0] != '/') {
		conn_reply(c, 400, NULL, "<p>Bad request.</p>");
		return;
	}
	q = strchr(c->url, '?');
	if (q != NULL)
		*q++ = '\0';
	req.method = http_method_str((enum http_method)c->parser.method);
	req.path = c->url;
	req.query = q ? q : "";
	req.body = c->body ? c->body : "";
	req.body_len = c->body_len;
	req.peer = c->peer;
	req.authorization = c->authorization;
	req.content_type = c->content_type;
	int done = l->opts.route ? l->opts.route(l->opts.ud, &req, &reply) : 0;
	conn_reply(c, reply.status ? reply.status : 200, reply.content_type,
	    reply.body ? reply.body : "");
	free(reply.body);
	if (done) {
		l->finished = 1;
		listener_stop(l);
	}
}

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)h;
	if (suggested > 16384)
		suggested = 16384;
	buf->base = malloc(suggested);
	buf->len = buf->base ? suggested : 0;
}

static void
on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct conn *c = s->data;
	struct listener *l = c->l;
	size_t max = l->opts.max_request_bytes ? l->opts.max_request_bytes : 16384;

	if (nread < 0) {
		free(buf->base);
		conn_close(c);
		return;
	}
	if (nread == 0 || c->replied) {
		free(buf->base);
		c->drained += nread > 0 ? (size_t)nread : 0;
		if (c->drained > 1024 * 1024)
			conn_close(c);
		return;
	}
	c->total += (size_t)nread;
	if (c->total > max) {
		free(buf->base);
		conn_reply(c, c->headers_done ? 413 : 431, NULL,
		    "<p>Request too large.</p>");
		return;
	}
	size_t used = http_parser_execute(&c->parser, &parser_settings, buf->base, (size_t)nread);
	free(buf->base);
	enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
	if (c->too_large) {
		conn_reply(c, 413, NULL, "<p>Request too large.</p>");
		return;
	}
	if (c->complete) {
		conn_dispatch(c);
		return;
	}
	if (e != HPE_OK || used != (size_t)nread) {
		conn_reply(c, 400, NULL, "<p>Bad request.</p>");
		return;
	}
}

static void
on_connection(uv_stream_t *server, int status)
{
	struct listener *l = server->data;
	int max = l->opts.max_connections > 0 ? l->opts.max_connections : 16;
	struct conn *c;

	if (status < 0)
		return;
	c = calloc(1, sizeof *c);
	if (c == NULL)
		return;
	c->l = l;
	uv_tcp_init(&l->loop, &c->tcp);
	c->tcp.data = c;
	l->connections++;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 || l->connections > max ||
	    l->closing) {
		conn_close(c);
		return;
	}
	struct sockaddr_storage ss;
	int len = sizeof ss;
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0 &&
	    ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		char ip[32];
		uv_ip4_name(sin, ip, sizeof ip);
		snprintf(c->peer, sizeof c->peer, "%s:%d", ip, ntohs(sin->sin_port));
	}
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static void
close_conn_any(uv_handle_t *h, void *arg)
{
	if (h->type == UV_TCP && h->data != arg && !uv_is_closing(h))
		conn_close(h->data);
}

static void
on_grace(uv_timer_t *t)
{
	struct listener *l = t->data;
	uv_walk(&l->loop, close_conn_any, l);
}

static void
on_timeout(uv_timer_t *t)
{
	struct listener *l = t->data;
	l->timed_out = 1;
	listener_stop(l);
}

int
lsn_open(const struct lsn_opts *opts, struct listener **out, struct zpub_err *err)
{
	struct listener *l;
	struct sockaddr_in addr;
	int r;

	*out = NULL;
	l = calloc(1, sizeof *l);
	if (l == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory for the loopback listener");
	l->opts = *opts;
	if ((r = uv_loop_init(&l->loop)) != 0) {
		free(l);
		return zpub_err_set(err, ZPUB_EIO, "cannot start the loopback listener: %s",
		    uv_strerror(r));
	}
	uv_tcp_init(&l->loop, &l->server);
	l->server.data = l;
	uv_timer_init(&l->loop, &l->timeout);
	l->timeout.data = l;
	uv_ip4_addr("127.0.0.1", opts->port, &addr);
	if ((r = uv_tcp_bind(&l->server, (const struct sockaddr *)&addr, 0)) != 0 ||
	    (r = uv_listen((uv_stream_t *)&l->server, 16, on_connection)) != 0) {
		zpub_err_set(err, ZPUB_EIO,
		    "cannot listen on 127.0.0.1:%d for the sign-in callback: %s; "
		    "choose another port or free this one", opts->port, uv_strerror(r));
		lsn_free(l);
		return ZPUB_EIO;
	}
	struct sockaddr_storage ss;
	int len = sizeof ss;
	uv_tcp_getsockname(&l->server, (struct sockaddr *)&ss, &len);
	l->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	*out = l;
	return 0;
}

int
lsn_port(const struct listener *l)
{
	return l ? l->port : 0;
}

int
lsn_run(struct listener *l, struct zpub_err *err)
{
	if (l->opts.timeout_ms > 0)
		uv_timer_start(&l->timeout, on_timeout, (uint64_t)l->opts.timeout_ms, 0);
	while (!l->closing || l->connections > 0)
		if (uv_run(&l->loop, UV_RUN_ONCE) == 0)
			break;
	if (l->finished)
		return 0;
	return zpub_err_set(err, ZPUB_ECANCEL,
	    "no valid answer reached http://127.0.0.1:%d within %lld s; "
	    "run the command again and finish signing in within that time",
	    l->port, (long long)(l->opts.timeout_ms / 1000));
}

static void
close_any(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h)) {
		if (h->type == UV_TCP && h->data != NULL && h->data != arg)
			uv_close(h, conn_closed);
		else
			uv_close(h, NULL);
	}
}

void
lsn_free(struct listener *l)
{
	if (l == NULL)
		return;
	uv_walk(&l->loop, close_any, l);
	uv_run(&l->loop, UV_RUN_DEFAULT);
	uv_loop_close(&l->loop);
	free(l);
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

char *
lsn_query_get(const char *query, const char *key)
{
	size_t kl = strlen(key);
	const char *p = query;

	while (p != NULL && *p) {
		const char *amp = strchr(p, '&');
		size_t seg = amp ? (size_t)(amp - p) : strlen(p);
		if (seg > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *v = p + kl + 1, *end = p + seg;
			char *out = malloc((size_t)(end - v) + 1), *o = out;
			if (out == NULL)
				return NULL;
			while (v < end) {
				if (*v == '%' && end - v >= 3 && hexval(v[1]) >= 0 && hexval(v[2]) >= 0) {
					*o++ = (char)(hexval(v[1]) * 16 + hexval(v[2]));
					v += 3;
				} else if (*v == '+') {
					*o++ = ' ';
					v++;
				} else {
					*o++ = *v++;
				}
			}
			*o = '\0';
			return out;
		}
		if (seg == kl && strncmp(p, key, kl) == 0)
			return xstrdup("");
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

char *
lsn_html_escape(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += (*p == '&' || *p == '<' || *p == '>' || *p == '"' || *p == '\'') ? 6 : 1;
	char *out = malloc(n + 1), *o = out;
	if (out == NULL)
		return NULL;
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '&': o += sprintf(o, "&amp;"); break;
		case '<': o += sprintf(o, "&lt;"); break;
		case '>': o += sprintf(o, "&gt;"); break;
		case '"': o += sprintf(o, "&quot;"); break;
		case '\'': o += sprintf(o, "&#39;"); break;
		default: *o++ = *p;
		}
	}
	*o = '\0';
	return out;
}
