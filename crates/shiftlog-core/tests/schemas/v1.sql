-- shiftlog device store, schema version 1.
-- Organizations the worker belongs to. A row without server_url is local-only.
CREATE TABLE organizations (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    server_url    TEXT,
    device_id     TEXT,
    device_token  TEXT,
    joined_at     TEXT NOT NULL
);

-- Every activity the worker logged. No column may hold a client's identity.
CREATE TABLE activities (
    id                  TEXT PRIMARY KEY,           -- UUIDv7, made on the device
    org_id              TEXT NOT NULL REFERENCES organizations(id),
    kind                TEXT NOT NULL,
    occurred_at         TEXT NOT NULL,              -- RFC 3339 with the device's UTC offset
    occurred_utc_ms     INTEGER NOT NULL,           -- same instant, for ordering and ranges
    recorded_at         TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    deleted             INTEGER NOT NULL DEFAULT 0, -- tombstone until synced
    body                TEXT NOT NULL,              -- kind-specific details, JSON
    -- Changes not yet confirmed by the server. Sync subtracts what it sent instead of
    -- zeroing, so an edit made while a push is in flight stays pending.
    sync_change_counter INTEGER NOT NULL DEFAULT 1,
    synced_at           TEXT,
    rejected_reason     TEXT
);
CREATE INDEX activities_pending ON activities(org_id) WHERE sync_change_counter > 0;
CREATE INDEX activities_occurred ON activities(occurred_utc_ms);

-- Per-organization sync bookkeeping.
CREATE TABLE sync_state (
    org_id          TEXT PRIMARY KEY REFERENCES organizations(id),
    last_sent_at    TEXT,
    last_attempt_at TEXT,
    last_error      TEXT
);
