-- Staff API tokens get an id, a name, a scope, an expiry, who made them and their last use.
-- Existing tokens keep working as coordinators, named by their label, for 90 days from now.
CREATE TABLE staff_tokens_new (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    name         TEXT NOT NULL,
    scope        TEXT NOT NULL CHECK (scope IN ('summary', 'coordinator')),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    last_used_at TEXT
);

INSERT INTO staff_tokens_new
    (id, token_hash, org_id, name, scope, created_at, expires_at, created_by)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2))
             || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6))),
       token_hash, org_id, label, 'coordinator', created_at,
       strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '+90 days'), 'migration'
FROM staff_tokens;

DROP TABLE staff_tokens;
ALTER TABLE staff_tokens_new RENAME TO staff_tokens;
CREATE INDEX staff_tokens_org ON staff_tokens (org_id, created_at);
