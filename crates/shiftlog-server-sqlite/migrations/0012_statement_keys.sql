-- Schema version 12: signed work statements (issue 14). Each organization's Ed25519
-- statement keys (the secret is kept here unencrypted and destroyed, set to NULL, when the key
-- is retired by a rotation or revoked: docs/security.md "Statement keys"), and the register of
-- issued statements by short code, which the public verify page looks codes up in.
CREATE TABLE statement_keys (
    key_id      TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    public_key  TEXT NOT NULL,
    secret      TEXT,
    created_at  TEXT NOT NULL,
    retired_at  TEXT,
    revoked_at  TEXT
);
CREATE INDEX statement_keys_org ON statement_keys(org_id, created_at);

CREATE TABLE issued_statements (
    code        TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    worker_id   TEXT NOT NULL,
    key_id      TEXT NOT NULL REFERENCES statement_keys(key_id),
    issued_at   TEXT NOT NULL,
    document    TEXT NOT NULL
);
