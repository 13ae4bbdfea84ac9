-- 017: sign-ins started through the API (POST /accounts/{provider}/start)
-- that wait for the provider to send the browser back to GET /oauth/callback.
-- The row outlives the request pair, the API's worker threads and a daemon
-- restart.  state_id is a hash of the state (the callback's credential is
-- never stored); the PKCE verifier is sealed under a key derived from the
-- state, so the row alone opens nothing.  A row is taken (deleted) by the
-- first callback that names it: a state works once.
CREATE TABLE oauth_pending (
  state_id     TEXT PRIMARY KEY,            -- hex BLAKE2b of the state
  tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  provider     TEXT NOT NULL,               -- youtube, vk
  account      TEXT,                        -- the account's name, NULL = the default one
  redirect_uri TEXT NOT NULL,               -- sent again, identical, with the code
  verifier     TEXT NOT NULL,               -- sealed PKCE verifier (hex)
  actor        TEXT NOT NULL,               -- who started it (the audit row's user)
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);
CREATE INDEX oauth_pending_expiry ON oauth_pending(expires_at);
