-- 017 (PostgreSQL): as ../017_oauth_pending.sql.
CREATE TABLE oauth_pending (
  state_id     TEXT COLLATE "C" PRIMARY KEY,            -- hex BLAKE2b of the state
  tenant_id    BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  provider     TEXT COLLATE "C" NOT NULL,               -- youtube, vk
  account      TEXT COLLATE "C",                        -- the account's name, NULL = the default one
  redirect_uri TEXT COLLATE "C" NOT NULL,               -- sent again, identical, with the code
  verifier     TEXT COLLATE "C" NOT NULL,               -- sealed PKCE verifier (hex)
  actor        TEXT COLLATE "C" NOT NULL,               -- who started it (the audit row's user)
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL
);
CREATE INDEX oauth_pending_expiry ON oauth_pending(expires_at);
