-- Version 4: hybrid logical clocks (last writer wins across a worker's devices) and a change
-- log that devices pull from with a cursor.
ALTER TABLE records ADD COLUMN hlc TEXT;

-- One row per record, re-numbered on every accepted write: `seq` only goes up (AUTOINCREMENT
-- never reuses a number), so "changes after my cursor" never misses one. A separate table,
-- so numbering a change does not fire the totals triggers on `records`.
CREATE TABLE record_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id   TEXT NOT NULL UNIQUE REFERENCES records(id),
    org_id      TEXT NOT NULL,
    worker_id   TEXT
);
CREATE INDEX record_changes_pull ON record_changes(org_id, worker_id, seq);
INSERT INTO record_changes (record_id, org_id, worker_id)
SELECT id, org_id, worker_id FROM records ORDER BY received_at, id;
