-- Frozen: the device schema at version 7 (after migrations 0001-0007), as a profile made
-- before the pay ledger has it. Never edit; tests/pay.rs upgrades it.
CREATE TABLE organizations (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    server_url    TEXT,
    device_id     TEXT,
    device_token  TEXT,
    joined_at     TEXT NOT NULL
, catalogue TEXT, removed_at TEXT, server_org_id TEXT);
CREATE TABLE sync_state (
    org_id          TEXT PRIMARY KEY REFERENCES organizations(id),
    last_sent_at    TEXT,
    last_attempt_at TEXT,
    last_error      TEXT
, clock_skew_secs INTEGER, pull_cursor INTEGER NOT NULL DEFAULT 0);
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
, hlc TEXT, unknown TEXT);
CREATE TABLE summary_rollup (
    org_id          TEXT NOT NULL,
    day             TEXT NOT NULL,      -- YYYY-MM-DD, local
    record_type     TEXT NOT NULL,
    kind            TEXT NOT NULL,
    outcome         TEXT NOT NULL DEFAULT '',
    pay_type        TEXT NOT NULL DEFAULT '',
    on_shift        INTEGER NOT NULL DEFAULT 1,
    n               INTEGER NOT NULL DEFAULT 0,
    minutes         INTEGER NOT NULL DEFAULT 0,
    people_reached  INTEGER NOT NULL DEFAULT 0,
    naloxone_doses  INTEGER NOT NULL DEFAULT 0,
    shift_ms        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, org_id, record_type, kind, outcome, pay_type, on_shift)
) WITHOUT ROWID;
CREATE TABLE supply_rollup (
    org_id      TEXT NOT NULL,
    day         TEXT NOT NULL,
    item        TEXT NOT NULL,
    quantity    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, org_id, item)
) WITHOUT ROWID;
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
CREATE TABLE settings (
    key     TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);
CREATE TABLE set_aside (
    id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL,
    org_id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    kind TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    body TEXT NOT NULL,
    -- why it was set aside, in the words the server or the device gave
    reason TEXT NOT NULL,
    -- superseded | conflict
    status TEXT NOT NULL,
    set_aside_at TEXT NOT NULL
);
CREATE TABLE messages (
    org_id         TEXT NOT NULL REFERENCES organizations(id),
    id             TEXT NOT NULL,
    -- alert | notice
    urgency        TEXT NOT NULL,
    text           TEXT NOT NULL,
    -- the catalogue role it was sent to; NULL: every device of the organization
    role           TEXT,
    posted_at      TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    expires_utc_ms INTEGER NOT NULL,
    received_at    TEXT NOT NULL,
    read_at        TEXT,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX records_pending ON records(org_id, occurred_utc_ms) WHERE sync_change_counter > 0;
CREATE INDEX records_open_shifts ON records(org_id)
    WHERE record_type = 'shift' AND ended_utc_ms IS NULL AND deleted = 0;
CREATE INDEX set_aside_record ON set_aside(record_id);
CREATE UNIQUE INDEX organizations_server_identity ON organizations(server_url, server_org_id)
    WHERE server_url IS NOT NULL;
CREATE INDEX checkins_created ON checkins(created_utc_ms);
CREATE INDEX messages_expires ON messages(expires_utc_ms);
CREATE TRIGGER records_rollup_insert AFTER INSERT ON records WHEN NEW.deleted = 0
BEGIN
    INSERT INTO summary_rollup (org_id, day, record_type, kind, outcome, pay_type, on_shift,
                                n, minutes, people_reached, naloxone_doses, shift_ms)
    VALUES (NEW.org_id, substr(NEW.occurred_at, 1, 10), NEW.record_type, NEW.kind,
            COALESCE(NEW.outcome, ''), COALESCE(NEW.pay_type, ''), COALESCE(NEW.on_shift, 1),
            1, COALESCE(NEW.minutes, 0), COALESCE(NEW.people_reached, 0),
            COALESCE(NEW.naloxone_doses, 0),
            COALESCE(NEW.ended_utc_ms - NEW.occurred_utc_ms, 0))
    ON CONFLICT DO UPDATE SET n = n + 1, minutes = minutes + excluded.minutes,
        people_reached = people_reached + excluded.people_reached,
        naloxone_doses = naloxone_doses + excluded.naloxone_doses,
        shift_ms = shift_ms + excluded.shift_ms;
    INSERT INTO supply_rollup (org_id, day, item, quantity)
    SELECT NEW.org_id, substr(NEW.occurred_at, 1, 10), json_extract(j.value, '$.item'),
           json_extract(j.value, '$.quantity')
    FROM json_each(NEW.body, '$.items') j
    WHERE NEW.kind = 'supplies_distributed'
    ON CONFLICT DO UPDATE SET quantity = quantity + excluded.quantity;
END;
CREATE TRIGGER records_rollup_update AFTER UPDATE OF occurred_at, body, deleted, outcome,
    pay_type, on_shift, minutes, people_reached, naloxone_doses, ended_utc_ms ON records
BEGIN
    UPDATE summary_rollup SET n = n - 1, minutes = minutes - COALESCE(OLD.minutes, 0),
        people_reached = people_reached - COALESCE(OLD.people_reached, 0),
        naloxone_doses = naloxone_doses - COALESCE(OLD.naloxone_doses, 0),
        shift_ms = shift_ms - COALESCE(OLD.ended_utc_ms - OLD.occurred_utc_ms, 0)
    WHERE OLD.deleted = 0 AND day = substr(OLD.occurred_at, 1, 10) AND org_id = OLD.org_id
      AND record_type = OLD.record_type AND kind = OLD.kind
      AND outcome = COALESCE(OLD.outcome, '') AND pay_type = COALESCE(OLD.pay_type, '')
      AND on_shift = COALESCE(OLD.on_shift, 1);
    UPDATE supply_rollup SET quantity = quantity - (
        SELECT COALESCE(SUM(json_extract(j.value, '$.quantity')), 0)
        FROM json_each(OLD.body, '$.items') j WHERE json_extract(j.value, '$.item') = item)
    WHERE OLD.deleted = 0 AND OLD.kind = 'supplies_distributed'
      AND day = substr(OLD.occurred_at, 1, 10) AND org_id = OLD.org_id;
    INSERT INTO summary_rollup (org_id, day, record_type, kind, outcome, pay_type, on_shift,
                                n, minutes, people_reached, naloxone_doses, shift_ms)
    SELECT NEW.org_id, substr(NEW.occurred_at, 1, 10), NEW.record_type, NEW.kind,
            COALESCE(NEW.outcome, ''), COALESCE(NEW.pay_type, ''), COALESCE(NEW.on_shift, 1),
            1, COALESCE(NEW.minutes, 0), COALESCE(NEW.people_reached, 0),
            COALESCE(NEW.naloxone_doses, 0),
            COALESCE(NEW.ended_utc_ms - NEW.occurred_utc_ms, 0)
    WHERE NEW.deleted = 0
    ON CONFLICT DO UPDATE SET n = n + 1, minutes = minutes + excluded.minutes,
        people_reached = people_reached + excluded.people_reached,
        naloxone_doses = naloxone_doses + excluded.naloxone_doses,
        shift_ms = shift_ms + excluded.shift_ms;
    INSERT INTO supply_rollup (org_id, day, item, quantity)
    SELECT NEW.org_id, substr(NEW.occurred_at, 1, 10), json_extract(j.value, '$.item'),
           json_extract(j.value, '$.quantity')
    FROM json_each(NEW.body, '$.items') j
    WHERE NEW.deleted = 0 AND NEW.kind = 'supplies_distributed'
    ON CONFLICT DO UPDATE SET quantity = quantity + excluded.quantity;
END;
