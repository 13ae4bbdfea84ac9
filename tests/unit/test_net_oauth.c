/*
 * test_net_oauth.c — PKCE, state checks, the loopback listener and the full
 * sign-in against tests/fakes/fake_google.py and fake_vk.py, with this test
 * playing the browser: it follows the printed authorize URL to the fake and
 * carries the redirect to the loopback listener.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include "config.h"
#include "http.h"
#include "listener.h"
#include "oauth.h"
#include "util.h"
#include "net_fake.h"

/* ---- memory token store -------------------------------------------------------- */

struct memstore {
	char *json;
	char state[32];
	int saves;
};

static int
ms_load(void *ud, const char *provider, char **json, struct zpub_err *err)
{
	struct memstore *m = ud;
	(void)provider;
	if (m->json == NULL)
		return zpub_err_set(err, ZPUB_ENOTFOUND, "none");
	*json = xstrdup(m->json);
	return 0;
}

static int
ms_save(void *ud, const char *provider, const char *json, int64_t exp, struct zpub_err *err)
{
	struct memstore *m = ud;
	(void)provider; (void)exp; (void)err;
	free(m->json);
	m->json = xstrdup(json);
	m->saves++;
	return 0;
}

static int
ms_mark(void *ud, const char *provider, const char *state, struct zpub_err *err)
{
	struct memstore *m = ud;
	(void)provider; (void)err;
	snprintf(m->state, sizeof m->state, "%s", state);
	return 0;
}

static struct oauth_store
ms_store(struct memstore *m)
{
	struct oauth_store s = {ms_load, ms_save, ms_mark, m};
	return s;
}

/* ---- pure parts ---------------------------------------------------------------- */

static void
test_pkce_and_state(void **state)
{
	(void)state;
	char ch[64], v[64], c2[64], s1[64], s2[64];
	/* computed with Python: base64url(sha256(v)) without padding */
	oauth_pkce_challenge("dBjftJeZ4CVP-mJ92K9ljBdqpEkLyYxz5ZlCBoM5dF4", ch);
	assert_string_equal(ch, "QZG6dTc19kmIDmJWZVVwrZSozuo8KhkX6azQJtYj5eQ");
	oauth_pkce_new(v, c2);
	assert_int_equal(strlen(v), 43);
	assert_int_equal(strlen(c2), 43);
	oauth_pkce_challenge(v, ch);
	assert_string_equal(ch, c2);
	oauth_state_new(s1);
	oauth_state_new(s2);
	assert_int_equal(strlen(s1), 43);
	assert_string_not_equal(s1, s2);
}

/* A pending sign-in's store key and sealed verifier: the key is a stable
 * hash that is not the state; only the same state opens the verifier, and
 * a changed byte of the sealed text opens nothing. */
static void
test_pending_seal(void **state)
{
	(void)state;
	char st[64], other[64], v[64], ch[64], out[64], id1[65], id2[65], id3[65];
	oauth_state_new(st);
	oauth_state_new(other);
	oauth_pkce_new(v, ch);
	oauth_state_id(st, id1);
	oauth_state_id(st, id2);
	oauth_state_id(other, id3);
	assert_int_equal(strlen(id1), 64);
	assert_string_equal(id1, id2);
	assert_string_not_equal(id1, id3);
	assert_null(strstr(id1, st));
	char *sealed = oauth_verifier_seal(st, v);
	assert_null(strstr(sealed, v));
	char *again = oauth_verifier_seal(st, v);
	assert_string_not_equal(sealed, again);      /* a fresh nonce each time */
	assert_int_equal(oauth_verifier_open(st, sealed, out), 0);
	assert_string_equal(out, v);
	assert_int_equal(oauth_verifier_open(st, again, out), 0);
	assert_string_equal(out, v);
	assert_int_equal(oauth_verifier_open(other, sealed, out), -1);
	assert_string_equal(out, "");
	size_t n = strlen(sealed);
	sealed[n - 1] = sealed[n - 1] == '0' ? '1' : '0';
	assert_int_equal(oauth_verifier_open(st, sealed, out), -1);
	assert_int_equal(oauth_verifier_open(st, "zz", out), -1);
	assert_int_equal(oauth_verifier_open(st, "", out), -1);
	assert_int_equal(oauth_verifier_open(st, NULL, out), -1);
	free(sealed);
	free(again);
}

static cJSON *
cfg_google(const char *base)
{
	cJSON *c = config_defaults();
	char *v;
	v = xasprintf("\"%s/o/oauth2/v2/auth\"", base);
	config_set(c, "providers.google.auth_url", v, NULL); free(v);
	v = xasprintf("\"%s/token\"", base);
	config_set(c, "providers.google.token_url", v, NULL); free(v);
	v = xasprintf("\"%s/revoke\"", base);
	config_set(c, "providers.google.revoke_url", v, NULL); free(v);
	config_set(c, "providers.google.client_id", "\"cid.apps.googleusercontent.com\"", NULL);
	return c;
}

static void
test_callback_check(void **state)
{
	(void)state;
	cJSON *cfg = cfg_google("http://127.0.0.1:9");
	struct oauth_provider p;
	struct zpub_err err = {0};
	char *code = NULL, *dev = NULL;
	assert_int_equal(oauth_provider_init(&p, cfg, "youtube", "sec", &err), 0);

	assert_int_equal(oauth_callback_check(&p, "state=abc&code=4%2F0Ax&scope=x", "abc",
	    &code, &dev, &err), 0);
	assert_string_equal(code, "4/0Ax");
	free(code);
	free(dev);
	assert_int_equal(oauth_callback_check(&p, "state=abd&code=x", "abc", &code, NULL, &err),
	    ZPUB_EAUTH);
	assert_non_null(strstr(err.msg, "CSRF"));
	assert_null(code);
	assert_int_equal(oauth_callback_check(&p, "code=x", "abc", &code, NULL, &err), ZPUB_EAUTH);
	assert_int_equal(oauth_callback_check(&p, "state=abc&error=access_denied", "abc", &code,
	    NULL, &err), ZPUB_EAUTH);
	assert_non_null(strstr(err.msg, "access_denied"));

	char *url = oauth_authorize_url(&p, "http://127.0.0.1:5/callback", "st", "ch");
	assert_non_null(strstr(url, "code_challenge=ch"));
	assert_non_null(strstr(url, "code_challenge_method=S256"));
	assert_non_null(strstr(url, "youtube.upload"));
	assert_non_null(strstr(url, "youtube.force-ssl"));
	assert_non_null(strstr(url, "redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Fcallback"));
	assert_null(strstr(url, "sec")); /* the secret never goes to the browser */
	free(url);
	oauth_provider_clear(&p);
	cJSON_Delete(cfg);
}

/* ---- listener ---------------------------------------------------------------------- */

static int
route_echo(void *ud, const struct lsn_request *req, struct lsn_reply *reply)
{
	(void)ud;
	if (strcmp(req->path, "/done") == 0) {
		reply->body = xstrdup("bye");
		return 1;
	}
	if (strcmp(req->path, "/ok") != 0) {
		reply->status = 404;
		reply->body = xstrdup("no");
		return 0;
	}
	reply->body = xasprintf("q=%s auth=%s ct=%s", req->query,
	    req->authorization ? req->authorization : "-",
	    req->content_type ? req->content_type : "-");
	return 0;
}

struct raw_client {
	int port;
	char reply[8][256];
};

static void
raw_send(int port, const char *data, size_t len, char *out, size_t outsz)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(0x7f000001);
	out[0] = '\0';
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t k = send(fd, data + off, len - off, MSG_NOSIGNAL);
		if (k <= 0)
			break;
		off += (size_t)k;
	}
	size_t got = 0;
	ssize_t k;
	while (got + 1 < outsz && (k = recv(fd, out + got, outsz - 1 - got, 0)) > 0)
		got += (size_t)k;
	out[got] = '\0';
	close(fd);
}

static void *
raw_thread(void *ud)
{
	struct raw_client *rc = ud;
	char big[40000];
	memset(big, 'a', sizeof big);
	memcpy(big, "GET /ok?", 8);
	memcpy(big + sizeof big - 16, " HTTP/1.1\r\n\r\n", 13);
	const char *first = "GET /ok?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthori"
	    "zation: Bearer abc\r\nContent-Type: text/plain\r\n\r\n";
	raw_send(rc->port, first, strlen(first), rc->reply[0], 256);
	raw_send(rc->port, "BLAH\r\n\r\n", 8, rc->reply[1], 256);
	raw_send(rc->port, big, sizeof big - 3, rc->reply[2], 256);
	raw_send(rc->port, "GET /other HTTP/1.1\r\nHost: localhost\r\n\r\n", 40, rc->reply[3], 256);
	const char *post = "POST /ok HTTP/1.1\r\nContent-Length: 99999\r\n\r\nabc";
	raw_send(rc->port, post, strlen(post), rc->reply[4], 256);
	/* DNS rebinding: a page of another name reaching the loopback port */
	raw_send(rc->port, "GET /done HTTP/1.1\r\nHost: evil.example\r\n\r\n", 42, rc->reply[6], 256);
	raw_send(rc->port, "GET /done HTTP/1.1\r\n\r\n", 22, rc->reply[7], 256);
	char done[96];
	snprintf(done, sizeof done, "GET /done HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", rc->port);
	raw_send(rc->port, done, strlen(done), rc->reply[5], 256);
	return NULL;
}

static void
test_listener(void **state)
{
	(void)state;
	struct listener *l = NULL;
	struct zpub_err err = {0};
	struct lsn_opts o = {.timeout_ms = 5000, .route = route_echo};
	assert_int_equal(lsn_open(&o, &l, &err), 0);
	struct raw_client rc = {.port = lsn_port(l)};
	pthread_t th;
	pthread_create(&th, NULL, raw_thread, &rc);
	assert_int_equal(lsn_run(l, &err), 0);
	pthread_join(th, NULL);
	lsn_free(l);
	assert_non_null(strstr(rc.reply[0], "HTTP/1.1 200"));
	assert_non_null(strstr(rc.reply[0], "q=x=1 auth=Bearer abc ct=text/plain"));
	assert_non_null(strstr(rc.reply[1], "HTTP/1.1 400"));
	assert_non_null(strstr(rc.reply[2], "HTTP/1.1 431"));
	assert_non_null(strstr(rc.reply[3], "HTTP/1.1 404"));
	assert_non_null(strstr(rc.reply[4], "HTTP/1.1 413"));
	assert_non_null(strstr(rc.reply[5], "bye"));
	assert_non_null(strstr(rc.reply[6], "HTTP/1.1 421"));
	assert_non_null(strstr(rc.reply[7], "HTTP/1.1 421"));

	/* nobody comes: the timeout ends it */
	o.timeout_ms = 200;
	assert_int_equal(lsn_open(&o, &l, &err), 0);
	assert_int_equal(lsn_run(l, &err), ZPUB_ECANCEL);
	lsn_free(l);
}

/* The operator's public name (the API behind a reverse proxy): accepted
 * with no port, its public port or the bound one; names that merely start
 * or end like it, other ports and other names are still 421. */
struct pub_client {
	int port;
	char reply[9][256];
};

static void *
pub_thread(void *ud)
{
	struct pub_client *pc = ud;
	char hosts[9][96];
	snprintf(hosts[0], 96, "zpub.example.org");
	snprintf(hosts[1], 96, "ZPUB.Example.org:443");
	snprintf(hosts[2], 96, "zpub.example.org:%d", pc->port);
	snprintf(hosts[3], 96, "zpub.example.org:444");
	snprintf(hosts[4], 96, "zpub.example.org.evil");
	snprintf(hosts[5], 96, "xzpub.example.org");
	snprintf(hosts[6], 96, "zpub.example.org:");
	snprintf(hosts[7], 96, "evil.example");
	snprintf(hosts[8], 96, "127.0.0.1:%d", pc->port);
	for (int i = 0; i < 9; i++) {
		char req[256];
		snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %.96s\r\n\r\n",
		    i == 8 ? "/done" : "/ok", hosts[i]);
		raw_send(pc->port, req, strlen(req), pc->reply[i], 256);
	}
	return NULL;
}

static void
test_listener_public_host(void **state)
{
	(void)state;
	struct listener *l = NULL;
	struct zpub_err err = {0};
	struct lsn_opts o = {.timeout_ms = 5000, .route = route_echo,
		.public_host = "zpub.example.org", .public_port = 443};
	assert_int_equal(lsn_open(&o, &l, &err), 0);
	struct pub_client pc = {.port = lsn_port(l)};
	pthread_t th;
	pthread_create(&th, NULL, pub_thread, &pc);
	assert_int_equal(lsn_run(l, &err), 0);
	pthread_join(th, NULL);
	lsn_free(l);
	for (int i = 0; i < 3; i++)
		assert_non_null(strstr(pc.reply[i], "HTTP/1.1 200"));
	for (int i = 3; i < 8; i++)
		assert_non_null(strstr(pc.reply[i], "HTTP/1.1 421"));
	assert_non_null(strstr(pc.reply[8], "bye"));
}

/* ---- full sign-in with a browser thread -------------------------------------------- */

struct browser {
	FILE *in;              /* reads the printed URL */
	int tamper_first;      /* first try the callback with a forged state */
	long forged_status;
	long final_status;
	char final_body[512];
};

static char *
replace_state(const char *loc)
{
	char *s = xstrdup(loc), *p = strstr(s, "state=");
	if (p)
		p[6] = p[6] == 'X' ? 'Y' : 'X';
	return s;
}

static void *
browser_thread(void *ud)
{
	struct browser *b = ud;
	char line[4096];
	struct http_client *c = http_client_new();
	struct http_response r = {0};
	struct zpub_err err;

	if (fgets(line, sizeof line, b->in) == NULL)
		goto out;
	line[strcspn(line, "\n")] = '\0';
	/* the authorize page redirects to the loopback listener */
	struct http_request auth = {.url = line};
	if (http_do(c, &auth, &r, &err) != 0 || r.status != 302 || r.location == NULL)
		goto out;
	char *loc = xstrdup(r.location);
	http_response_free(&r);
	if (b->tamper_first) {
		char *forged = replace_state(loc);
		struct http_request f = {.url = forged};
		if (http_do(c, &f, &r, &err) == 0)
			b->forged_status = r.status;
		http_response_free(&r);
		free(forged);
	}
	struct http_request cb = {.url = loc};
	if (http_do(c, &cb, &r, &err) == 0) {
		b->final_status = r.status;
		snprintf(b->final_body, sizeof b->final_body, "%s", r.body ? r.body : "");
	}
	http_response_free(&r);
	free(loc);
out:
	http_client_free(c);
	return NULL;
}

static int
run_login(const struct oauth_provider *p, struct memstore *ms, struct browser *b,
    struct zpub_err *err)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	FILE *out = fdopen(fds[1], "w");
	b->in = fdopen(fds[0], "r");
	FILE *log = fopen("/dev/null", "w");
	struct oauth_login_opts lo = {.no_browser = 1, .timeout_ms = 10000, .out = out, .log = log};
	struct oauth_store os = ms_store(ms);
	struct http_client *c = http_client_new();
	pthread_t th;
	pthread_create(&th, NULL, browser_thread, b);
	int rc = oauth_login(c, p, &lo, &os, err);
	fclose(out);
	pthread_join(th, NULL);
	fclose(b->in);
	fclose(log);
	http_client_free(c);
	return rc;
}

static cJSON *
fake_state(struct net_fake *f)
{
	struct http_client *c = http_client_new();
	struct http_response r = {0};
	struct zpub_err err;
	char *u = xasprintf("%s/_state", f->base);
	struct http_request req = {.url = u};
	assert_int_equal(http_do(c, &req, &r, &err), 0);
	cJSON *j = cJSON_Parse(r.body);
	http_response_free(&r);
	free(u);
	http_client_free(c);
	return j;
}

static void
fake_faults(struct net_fake *f, const char *json)
{
	struct http_client *c = http_client_new();
	struct http_response r = {0};
	struct zpub_err err;
	char *u = xasprintf("%s/_faults", f->base);
	struct http_request req = {.method = "POST", .url = u, .body = json,
	    .body_len = strlen(json), .content_type = "application/json"};
	assert_int_equal(http_do(c, &req, &r, &err), 0);
	assert_int_equal(r.status, 200);
	http_response_free(&r);
	free(u);
	http_client_free(c);
}

static void
test_google_flow(void **state)
{
	(void)state;
	struct net_fake f;
	assert_int_equal(net_fake_start(&f, "fake_google.py", NULL), 0);
	cJSON *cfg = cfg_google(f.base);
	struct oauth_provider p;
	struct zpub_err err = {0};
	struct memstore ms = {0};
	struct browser b = {.tamper_first = 1};
	assert_int_equal(oauth_provider_init(&p, cfg, "youtube", "the-secret", &err), 0);

	assert_int_equal(run_login(&p, &ms, &b, &err), 0);
	assert_int_equal(b.forged_status, 400);  /* wrong state refused... */
	assert_int_equal(b.final_status, 200);   /* ...and the real one still accepted */
	assert_non_null(strstr(b.final_body, "connected"));
	assert_non_null(ms.json);
	struct oauth_tokens t;
	assert_int_equal(oauth_tokens_from_json(ms.json, &t, &err), 0);
	assert_non_null(t.access_token);
	assert_non_null(t.refresh_token);
	assert_true(t.expires_at_ms > time_now_ms() + 3000000);
	char *first_access = xstrdup(t.access_token), *refresh = xstrdup(t.refresh_token);
	oauth_tokens_clear(&t);

	cJSON *st = fake_state(&f);
	cJSON *tr = cJSON_GetArrayItem(cJSON_GetObjectItem(st, "token_requests"), 0);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(tr, "has_secret")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(tr, "has_verifier")));
	cJSON_Delete(st);

	/* a fresh token is used as is; force refresh gets a new one, keeps the refresh token */
	struct oauth_store os = ms_store(&ms);
	struct http_client *c = http_client_new();
	char *tok = NULL;
	assert_int_equal(oauth_access_token(c, &p, &os, 0, &tok, &err), 0);
	assert_string_equal(tok, first_access);
	free(tok);
	assert_int_equal(oauth_access_token(c, &p, &os, 1, &tok, &err), 0);
	assert_string_not_equal(tok, first_access);
	free(tok);
	assert_int_equal(oauth_tokens_from_json(ms.json, &t, &err), 0);
	assert_string_equal(t.refresh_token, refresh);
	oauth_tokens_clear(&t);

	/* revoked: invalid_grant -> reconnect state, no retry */
	fake_faults(&f, "{\"invalid_grant\": true}");
	assert_int_equal(oauth_access_token(c, &p, &os, 1, &tok, &err), ZPUB_EAUTH);
	assert_non_null(strstr(err.msg, "reconnect"));
	assert_string_equal(ms.state, "reconnect");
	assert_null(strstr(err.msg, refresh)); /* no secrets in sentences */

	/* a callback carrying error=access_denied ends the sign-in */
	fake_faults(&f, "{\"invalid_grant\": false, \"deny\": true}");
	struct memstore ms2 = {0};
	struct browser b2 = {0};
	assert_int_equal(run_login(&p, &ms2, &b2, &err), ZPUB_EAUTH);
	assert_non_null(strstr(err.msg, "access_denied"));
	assert_null(ms2.json);

	/* without the client secret Google refuses the exchange */
	fake_faults(&f, "{\"deny\": false}");
	struct oauth_provider nosec;
	assert_int_equal(oauth_provider_init(&nosec, cfg, "youtube", NULL, &err), 0);
	struct memstore ms3 = {0};
	struct browser b3 = {0};
	assert_int_equal(run_login(&nosec, &ms3, &b3, &err), ZPUB_EAUTH);
	assert_non_null(strstr(err.msg, "invalid_request"));
	oauth_provider_clear(&nosec);

	http_client_free(c);
	free(first_access);
	free(refresh);
	free(ms.json);
	oauth_provider_clear(&p);
	cJSON_Delete(cfg);
	net_fake_stop(&f);
}

static void
test_vk_flow(void **state)
{
	(void)state;
	struct net_fake f;
	assert_int_equal(net_fake_start(&f, "fake_vk.py", NULL), 0);
	cJSON *cfg = config_defaults();
	char *v = xasprintf("\"%s\"", f.base);
	config_set(cfg, "providers.vk.oauth_base", v, NULL);
	free(v);
	config_set(cfg, "providers.vk.client_id", "\"51234567\"", NULL);
	struct oauth_provider p;
	struct zpub_err err = {0};
	struct memstore ms = {0};
	struct browser b = {.tamper_first = 1};
	assert_int_equal(oauth_provider_init(&p, cfg, "vk", NULL, &err), 0);
	assert_int_equal(run_login(&p, &ms, &b, &err), 0);
	assert_int_equal(b.forged_status, 400);
	struct oauth_tokens t;
	assert_int_equal(oauth_tokens_from_json(ms.json, &t, &err), 0);
	assert_non_null(t.device_id);
	assert_string_equal(t.user_id, "1234567");
	char *old_refresh = xstrdup(t.refresh_token);
	oauth_tokens_clear(&t);
	/* VK rotates refresh tokens: the new one must be saved */
	struct oauth_store os = ms_store(&ms);
	struct http_client *c = http_client_new();
	char *tok = NULL;
	assert_int_equal(oauth_access_token(c, &p, &os, 1, &tok, &err), 0);
	free(tok);
	assert_int_equal(oauth_tokens_from_json(ms.json, &t, &err), 0);
	assert_string_not_equal(t.refresh_token, old_refresh);
	assert_non_null(t.device_id);
	oauth_tokens_clear(&t);
	/* and the new one works again */
	assert_int_equal(oauth_access_token(c, &p, &os, 1, &tok, &err), 0);
	free(tok);
	http_client_free(c);
	free(old_refresh);
	free(ms.json);
	oauth_provider_clear(&p);
	cJSON_Delete(cfg);
	net_fake_stop(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkce_and_state),
		cmocka_unit_test(test_pending_seal),
		cmocka_unit_test(test_callback_check),
		cmocka_unit_test(test_listener),
		cmocka_unit_test(test_listener_public_host),
		cmocka_unit_test(test_google_flow),
		cmocka_unit_test(test_vk_flow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
