-- Schema version 2: every record type in one table (one outbox for sync), columns the
-- worker's summary reads without parsing JSON, private check-ins, per-organization
-- catalogues, and settings.
CREATE TABLE records (
    id                  TEXT PRIMARY KEY,           -- UUIDv7, made on the device
    org_id              TEXT NOT NULL REFERENCES organizations(id),
    record_type         TEXT NOT NULL,              -- activity | shift | debrief_request | training
    kind                TEXT NOT NULL,
    occurred_at         TEXT NOT NULL,              -- RFC 3339 with the device's UTC offset
    occurred_utc_ms     INTEGER NOT NULL,
    recorded_at         TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    deleted             INTEGER NOT NULL DEFAULT 0, -- tombstone until synced
    body                TEXT NOT NULL,              -- JSON, docs/records.md
    -- Read by summaries (derived from body on every write; never edited on their own).
    area                TEXT,
    on_shift            INTEGER,
    minutes             INTEGER,
    people_reached      INTEGER,
    naloxone_doses      INTEGER,
    outcome             TEXT,
    pay_type            TEXT,
    ended_utc_ms        INTEGER,                    -- shifts: end; NULL while open
    -- Sync: changes not yet confirmed. Subtracted, never zeroed, after a push.
    sync_change_counter INTEGER NOT NULL DEFAULT 1,
    synced_at           TEXT,
    rejected_reason     TEXT
);
CREATE INDEX records_pending ON records(org_id, occurred_utc_ms) WHERE sync_change_counter > 0;
CREATE INDEX records_summary ON records(occurred_utc_ms, org_id, record_type, kind, outcome,
    pay_type, deleted, on_shift, minutes, naloxone_doses, ended_utc_ms, people_reached);
CREATE UNIQUE INDEX records_one_open_shift ON records(org_id)
    WHERE record_type = 'shift' AND ended_utc_ms IS NULL AND deleted = 0;

CREATE TABLE supply_lines (
    record_id   TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    item        TEXT NOT NULL,
    quantity    INTEGER NOT NULL
);
CREATE INDEX supply_lines_record ON supply_lines(record_id);

INSERT INTO records (id, org_id, record_type, kind, occurred_at, occurred_utc_ms, recorded_at,
                     version, deleted, body, on_shift, naloxone_doses, sync_change_counter,
                     synced_at, rejected_reason)
SELECT id, org_id, 'activity', kind, occurred_at, occurred_utc_ms, recorded_at, version, deleted,
       body, 1, 0, sync_change_counter, synced_at, rejected_reason
FROM activities;
INSERT INTO supply_lines (record_id, item, quantity)
SELECT a.id, json_extract(j.value, '$.item'), json_extract(j.value, '$.quantity')
FROM activities a, json_each(a.body, '$.items') j
WHERE a.kind = 'supplies_distributed';
DROP TABLE activities;

-- Check-ins belong to the worker: never synced. Sharing a debrief request creates a separate
-- debrief_request record that carries only the fact and the time.
CREATE TABLE checkins (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT REFERENCES organizations(id),
    created_at          TEXT NOT NULL,
    created_utc_ms      INTEGER NOT NULL,
    after_record_id     TEXT,
    debrief_requested   INTEGER NOT NULL DEFAULT 0,
    wellbeing           INTEGER,                    -- 1 (struggling) to 5 (fine), optional
    private_note        TEXT,
    shared_record_id    TEXT
);

ALTER TABLE organizations ADD COLUMN catalogue TEXT; -- JSON; NULL means the default catalogue

CREATE TABLE settings (
    key     TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);
