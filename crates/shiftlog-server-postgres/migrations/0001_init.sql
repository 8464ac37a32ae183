-- shiftlog organization server (PostgreSQL backend), schema version 1. Same tables and
-- meaning as the SQLite backend's schema 2; timestamps are RFC 3339 text so both backends
-- store and return the same strings.
CREATE TABLE organizations (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    retention_days INTEGER NOT NULL DEFAULT 365
);

CREATE TABLE workers (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    pseudonym   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (org_id, pseudonym)
);

-- One-time enrollment codes, stored only as SHA-256 hashes.
CREATE TABLE enrollment_codes (
    code_hash   TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    worker_id   TEXT REFERENCES workers(id),
    created_by  TEXT NOT NULL DEFAULT 'cli'
);

-- Enrolled devices; the bearer token is stored only as its SHA-256 hash.
CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    token_hash  TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    revoked_at  TEXT,
    worker_id   TEXT NOT NULL REFERENCES workers(id)
);

CREATE TABLE staff_tokens (
    token_hash  TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    label       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Every record as received, with the facts summaries group by. (id) is the natural key.
CREATE TABLE records (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations(id),
    device_id       TEXT NOT NULL REFERENCES devices(id),
    version         BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    occurred_at     TEXT NOT NULL,
    occurred_utc_ms BIGINT NOT NULL,
    recorded_at     TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    deleted         BOOLEAN NOT NULL DEFAULT FALSE,
    body            TEXT NOT NULL,
    unknown         TEXT,
    record_type     TEXT NOT NULL,
    worker_id       TEXT,
    day             TEXT NOT NULL,
    week            TEXT NOT NULL,
    month           TEXT NOT NULL,
    area            TEXT,
    role            TEXT,
    on_shift        BOOLEAN NOT NULL,
    minutes         BIGINT NOT NULL,
    people_reached  BIGINT NOT NULL,
    naloxone_doses  BIGINT NOT NULL,
    nav_task        TEXT,
    nav_outcome     TEXT,
    pay_type        TEXT,
    shift_minutes   BIGINT NOT NULL
);
CREATE INDEX records_org_time ON records(org_id, occurred_utc_ms);
CREATE INDEX records_org_day ON records(org_id, day);

CREATE TABLE record_items (
    record_id   TEXT NOT NULL REFERENCES records(id),
    org_id      TEXT NOT NULL,
    item        TEXT NOT NULL,
    quantity    BIGINT NOT NULL
);
CREATE INDEX record_items_record ON record_items(record_id);

CREATE TABLE staff (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations(id),
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'viewer')),
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    csrf_hash   TEXT NOT NULL,
    staff_id    TEXT NOT NULL REFERENCES staff(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

CREATE TABLE audit_log (
    seq         BIGSERIAL PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log(org_id, seq);

CREATE TABLE catalogue (
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    section     TEXT NOT NULL,
    id          TEXT NOT NULL,
    label       TEXT NOT NULL,
    description TEXT NOT NULL,
    position    BIGINT NOT NULL,
    PRIMARY KEY (org_id, section, id)
);
