/* needs: src/net/listener.c */
/*
 * fuzz_listener.c — the loopback listener's request handling (the OAuth
 * callback server) fed arbitrary bytes over a real loopback connection, in
 * arbitrary chunks.  Includes listener.c to reach its loop; one listener
 * serves every input.  Checks: every connection ends (the listener answers
 * or closes, never hangs), every answer is a well-formed HTTP/1.1 status
 * line, nothing the route echoes escapes HTML escaping, no connection leaks.
 */
#include "../../src/net/listener.c"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fdp.h"

static struct listener *lsn;

static int
route(void *ud, const struct lsn_request *req, struct lsn_reply *reply)
{
	(void)ud;
	char *code = lsn_query_get(req->query, "code");
	char *state = lsn_query_get(req->query, "state");
	char *esc = lsn_html_escape(code ? code : req->path);
	if (esc == NULL || strpbrk(esc, "<>\"'") != NULL)
		__builtin_trap(); /* escaping let markup through */
	if (asprintf(&reply->body, "<p>%s %zu %s</p>", esc, req->body_len,
	    state ? "state" : "") < 0)
		reply->body = NULL;
	reply->status = code ? 200 : 404;
	free(esc);
	free(code);
	free(state);
	return 0; /* never done: keep serving the next input */
}

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp f = { data, size };
	struct zpub_err err = {0};

	if (lsn == NULL) {
		struct lsn_opts o = { .port = 0, .max_request_bytes = 2048, .route = route };
		if (lsn_open(&o, &lsn, &err) != 0)
			abort();
	}
	int chunk = 1 + fdp_u8(&f) % 64; /* bytes per write: splits tokens anywhere */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)lsn->port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		abort();
	fcntl(fd, F_SETFL, O_NONBLOCK);
	size_t off = 0;
	char reply[8192];
	size_t got = 0;
	int eof = 0, wr_closed = 0;
	int64_t deadline = now_ms() + 5000;
	while (!eof) {
		if (now_ms() > deadline) {
			fprintf(stderr, "listener neither answered nor closed within 5 s\n");
			__builtin_trap();
		}
		if (off < f.n) {
			size_t k = f.n - off < (size_t)chunk ? f.n - off : (size_t)chunk;
			ssize_t w = send(fd, f.d + off, k, MSG_NOSIGNAL);
			if (w > 0)
				off += (size_t)w;
			else if (w < 0 && errno != EAGAIN)
				off = f.n; /* the server closed on us: fine */
		} else if (!wr_closed) {
			shutdown(fd, SHUT_WR);
			wr_closed = 1;
		}
		uv_run(&lsn->loop, UV_RUN_NOWAIT);
		ssize_t r = recv(fd, reply + got, sizeof reply - 1 - got, 0);
		if (r > 0)
			got += (size_t)r;
		else if (r == 0 || (r < 0 && errno != EAGAIN))
			eof = 1;
		if (got == sizeof reply - 1)
			eof = 1;
		if (!eof && off >= f.n) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			poll(&p, 1, 1);
		}
	}
	close(fd);
	reply[got] = '\0';
	if (got > 0 && (got < 12 || memcmp(reply, "HTTP/1.1 ", 9) != 0 ||
	    strstr(reply, "\r\n\r\n") == NULL)) {
		fprintf(stderr, "malformed answer: %.200s\n", reply);
		__builtin_trap();
	}
	/* the server side of this connection must go away */
	deadline = now_ms() + 5000;
	while (lsn->connections > 0) {
		if (now_ms() > deadline) {
			fprintf(stderr, "connection never closed on the listener's side\n");
			__builtin_trap();
		}
		uv_run(&lsn->loop, UV_RUN_NOWAIT);
	}
	return 0;
}
