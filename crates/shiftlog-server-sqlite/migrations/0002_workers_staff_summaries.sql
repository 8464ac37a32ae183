-- shiftlog organization server (SQLite backend), schema version 2: workers and their
-- pseudonyms, every record type with the facts summaries group by, staff accounts and
-- sessions, the audit log and the catalogue.
ALTER TABLE organizations ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 365;

CREATE TABLE workers (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    pseudonym   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (org_id, pseudonym)
);
-- Devices enrolled before workers existed each become their own worker.
INSERT INTO workers (id, org_id, pseudonym, created_at)
    SELECT id, org_id, 'W-' || upper(substr(replace(id, '-', ''), 25, 8)), enrolled_at FROM devices;
ALTER TABLE devices ADD COLUMN worker_id TEXT REFERENCES workers(id);
UPDATE devices SET worker_id = id;

ALTER TABLE enrollment_codes ADD COLUMN worker_id TEXT REFERENCES workers(id);
ALTER TABLE enrollment_codes ADD COLUMN created_by TEXT NOT NULL DEFAULT 'cli';

ALTER TABLE activities RENAME TO records;
ALTER TABLE records ADD COLUMN record_type TEXT NOT NULL DEFAULT 'activity';
ALTER TABLE records ADD COLUMN worker_id TEXT;
ALTER TABLE records ADD COLUMN day TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN week TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN month TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN area TEXT;
ALTER TABLE records ADD COLUMN role TEXT;
ALTER TABLE records ADD COLUMN on_shift INTEGER NOT NULL DEFAULT 1;
ALTER TABLE records ADD COLUMN minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN people_reached INTEGER NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN naloxone_doses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN nav_task TEXT;
ALTER TABLE records ADD COLUMN nav_outcome TEXT;
ALTER TABLE records ADD COLUMN pay_type TEXT;
ALTER TABLE records ADD COLUMN shift_minutes INTEGER NOT NULL DEFAULT 0;
-- Backfill the facts of records stored by schema 1 (all activities) from their bodies.
UPDATE records SET
    worker_id = device_id,
    day = substr(occurred_at, 1, 10),
    week = date(substr(occurred_at, 1, 10), '-6 days', 'weekday 1'),
    month = substr(occurred_at, 1, 7),
    area = json_extract(body, '$.area'),
    role = json_extract(body, '$.role'),
    on_shift = coalesce(json_extract(body, '$.on_shift'), 1),
    minutes = coalesce(json_extract(body, '$.minutes'), 0),
    people_reached = coalesce(json_extract(body, '$.people_reached'), 0),
    naloxone_doses = coalesce(json_extract(body, '$.naloxone.doses'), 0),
    nav_task = json_extract(body, '$.task'),
    nav_outcome = CASE WHEN kind = 'systems_navigation' THEN json_extract(body, '$.outcome') END;
CREATE INDEX records_org_day ON records(org_id, day);

CREATE TABLE record_items (
    record_id   TEXT NOT NULL REFERENCES records(id),
    org_id      TEXT NOT NULL,
    item        TEXT NOT NULL,
    quantity    INTEGER NOT NULL
);
CREATE INDEX record_items_record ON record_items(record_id);
INSERT INTO record_items (record_id, org_id, item, quantity)
    SELECT r.id, r.org_id, json_extract(j.value, '$.item'), json_extract(j.value, '$.quantity')
    FROM records r, json_each(r.body, '$.items') j
    WHERE r.kind = 'supplies_distributed' AND json_valid(r.body);

-- Staff accounts: Argon2id PHC strings only.
CREATE TABLE staff (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations(id),
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'viewer')),
    created_at    TEXT NOT NULL
);

-- Dashboard sessions: the cookie and CSRF token are stored only as hashes.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    csrf_hash   TEXT NOT NULL,
    staff_id    TEXT NOT NULL REFERENCES staff(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
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
    position    INTEGER NOT NULL,
    PRIMARY KEY (org_id, section, id)
);
