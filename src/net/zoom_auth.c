/*
 * zoom_auth.c — signing in to Zoom with the authorization-code flow and
 * PKCE (S256) through the loopback listener, for accounts where a
 * Server-to-Server app is not an option.  The tokens (kind "user", with the
 * refresh token that rotates on every refresh) go to the client's creds
 * (the vault's "oauth.zoom"); zoom_token() refreshes them from then on.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "http.h"
#include "listener.h"
#include "oauth.h"
#include "zoom.h"
#include "zoom_int.h"
#include "util.h"

struct login_ctx {
	const char *state;
	char *code;
	int rc;
	struct zpub_err err;
	FILE *log;
};

static void
reply_page(struct lsn_reply *reply, int status, const char *text)
{
	char *esc = lsn_html_escape(text);
	reply->status = status;
	reply->content_type = "text/html; charset=utf-8";
	reply->body = xasprintf("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>zpub"
	    "</title></head><body><p>%s</p></body></html>", esc ? esc : "");
	free(esc);
}

static int
login_route(void *ud, const struct lsn_request *req, struct lsn_reply *reply)
{
	struct login_ctx *lc = ud;
	char *state = NULL, *error = NULL, *code = NULL;
	int done = 0;

	if (strcmp(req->path, "/callback") != 0) {
		reply_page(reply, 404, "Nothing here.");
		return 0;
	}
	state = lsn_query_get(req->query, "state");
	size_t sl = state ? strlen(state) : 0;
	if (state == NULL || sl != strlen(lc->state) ||
	    sodium_memcmp(state, lc->state, sl) != 0) {
		fprintf(lc->log, "zpub: refused a Zoom sign-in callback from %s with the wrong state"
		    " (possible CSRF); still waiting\n", req->peer);
		log_warn("Zoom sign-in: callback from %s with the wrong state refused (possible CSRF)",
		    req->peer);
		reply_page(reply, 400, "This sign-in answer does not belong to the sign-in zpub"
		    " started. Nothing was changed.");
		goto out;
	}
	if ((error = lsn_query_get(req->query, "error")) != NULL) {
		lc->rc = zpub_err_set(&lc->err, ZPUB_EAUTH, "Zoom refused the sign-in (%.100s);"
		    " run 'zpub auth zoom' again and allow zpub to read recordings", error);
		reply_page(reply, 200, "Zoom did not allow zpub in. You can close this tab.");
		done = 1;
		goto out;
	}
	if ((code = lsn_query_get(req->query, "code")) == NULL || *code == '\0') {
		reply_page(reply, 400, "The answer from Zoom has no code.");
		goto out;
	}
	lc->code = code;
	code = NULL;
	reply_page(reply, 200, "Zoom is connected to zpub. You can close this tab.");
	done = 1;
out:
	free(state);
	free(error);
	if (code) {
		sodium_memzero(code, strlen(code));
		free(code);
	}
	return done;
}

/* The app's secret from the vault (NULL when there is none: a public
 * client sends client_id alone). */
static int
app_secret(struct zoom_client *zc, char **secret, struct zpub_err *err)
{
	*secret = NULL;
	if (zc->client_id[0] == '\0')
		return zpub_err_set(err, ZPUB_EINVAL, "no Zoom app: set providers.zoom.client_id"
		    " ('zpub config set providers.zoom.client_id ID') to the OAuth app's client id");
	if (zc->creds.secret == NULL)
		return zpub_err_set(err, ZPUB_EINVAL, "Zoom sign-in needs the vault");
	int rc = zc->creds.secret(zc->creds.tokens.ud, "zoom.client_secret", secret, err);
	return rc == ZPUB_ENOTFOUND ? 0 : rc;
}

static void
free_secret(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

int
zoom_authorize_url(struct zoom_client *zc, const char *redirect, const char *state,
    const char *challenge, char **url, struct zpub_err *err)
{
	char *secret = NULL;
	int rc;

	*url = NULL;
	if ((rc = app_secret(zc, &secret, err)) != 0)
		return rc;
	free_secret(secret);
	char *e_id = http_urlencode(zc->client_id), *e_redir = http_urlencode(redirect);
	char *e_state = http_urlencode(state), *e_chal = http_urlencode(challenge);
	*url = xasprintf("%s/oauth/authorize?response_type=code&client_id=%s&redirect_uri=%s"
	    "&state=%s&code_challenge=%s&code_challenge_method=S256", zc->oauth_base,
	    e_id ? e_id : "", e_redir ? e_redir : "", e_state ? e_state : "", e_chal ? e_chal : "");
	free(e_id);
	free(e_redir);
	free(e_state);
	free(e_chal);
	return 0;
}

int
zoom_code_exchange(struct zoom_client *zc, const char *code, const char *verifier,
    const char *redirect, struct zpub_err *err)
{
	char *secret = NULL, *body = NULL, *basic = NULL;
	int rc;

	if ((rc = app_secret(zc, &secret, err)) != 0)
		return rc;
	const char *kv[] = { "grant_type", "authorization_code", "code", code,
		"redirect_uri", redirect, "code_verifier", verifier,
		"client_id", secret ? NULL : zc->client_id, NULL };
	body = http_form_urlencoded(kv);
	basic = secret ? zoom_basic_header(zc->client_id, secret) : NULL;
	/* A sign-in replaces whatever was there, S2S token included. */
	zc->user_kind = 1;
	free_secret(zc->refresh_token);
	zc->refresh_token = NULL;
	rc = zoom_token_request(zc, body, basic, "the sign-in", err);
	free_secret(body);
	free_secret(basic);
	free_secret(secret);
	return rc;
}

int
zoom_login(struct zoom_client *zc, const struct zoom_login_opts *o, struct zpub_err *err)
{
	char verifier[64], challenge[64], state[64];
	struct login_ctx lc = { .state = state };
	struct listener *l = NULL;
	char *redirect = NULL, *url = NULL;
	FILE *out = o && o->out ? o->out : stdout;
	int rc;

	lc.log = o && o->log ? o->log : stderr;
	oauth_pkce_new(verifier, challenge);
	oauth_state_new(state);
	struct lsn_opts lo = {
		.port = o ? o->port : 0,
		.timeout_ms = o && o->timeout_ms > 0 ? o->timeout_ms : 300000,
		.route = login_route,
		.ud = &lc,
	};
	/* the app's settings first: no listener for a sign-in that cannot work */
	char *secret = NULL;
	if ((rc = app_secret(zc, &secret, err)) != 0)
		goto out;
	free_secret(secret);
	if ((rc = lsn_open(&lo, &l, err)) != 0)
		goto out;
	redirect = xasprintf("http://127.0.0.1:%d/callback", lsn_port(l));
	if ((rc = zoom_authorize_url(zc, redirect, state, challenge, &url, err)) != 0)
		goto out;
	fprintf(lc.log, "Open this address in a browser to connect your Zoom account to zpub:\n");
	fflush(lc.log);
	fprintf(out, "%s\n", url);
	fflush(out);
	fprintf(lc.log, "Waiting for Zoom to send the browser back to %s ...\n", redirect);
	fflush(lc.log);
	if ((rc = lsn_run(l, err)) != 0)
		goto out;
	if (lc.rc != 0) {
		rc = lc.rc;
		if (err)
			*err = lc.err;
		goto out;
	}
	if ((rc = zoom_code_exchange(zc, lc.code, verifier, redirect, err)) != 0)
		goto out;
	fprintf(lc.log, "Zoom is connected.\n");
out:
	sodium_memzero(verifier, sizeof verifier);
	free_secret(lc.code);
	free(url);
	free(redirect);
	lsn_free(l);
	return rc;
}
