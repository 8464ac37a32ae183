-- shiftlog organization server (SQLite backend), schema version 1.
CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- One-time enrollment codes, stored only as SHA-256 hashes.
CREATE TABLE enrollment_codes (
    code_hash   TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

-- Enrolled devices; the bearer token is stored only as its SHA-256 hash.
CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    token_hash  TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    revoked_at  TEXT
);

-- Staff API tokens (exports) until staff accounts arrive; hashes only.
CREATE TABLE staff_tokens (
    token_hash  TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    label       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Activities as received. (id) is the natural key: a retried push is a no-op.
CREATE TABLE activities (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations(id),
    device_id       TEXT NOT NULL REFERENCES devices(id),
    version         INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    occurred_at     TEXT NOT NULL,
    occurred_utc_ms INTEGER NOT NULL,
    recorded_at     TEXT NOT NULL,
    received_at     TEXT NOT NULL,      -- the server's own clock
    deleted         INTEGER NOT NULL DEFAULT 0,
    body            TEXT NOT NULL,      -- kind-specific details, JSON
    unknown         TEXT                -- fields from newer clients, kept verbatim
);
CREATE INDEX activities_org_time ON activities(org_id, occurred_utc_ms);
