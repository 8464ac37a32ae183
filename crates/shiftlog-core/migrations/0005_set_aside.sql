-- Schema version 5: nothing a worker saved disappears without them being told.
-- When a version the worker saved loses to another (a newer change from another of their
-- devices, or a conflicting change at the same version), the winner becomes the record and
-- the worker's own version is kept here, shown in Needs attention until they keep it (it is
-- saved again as a new version) or let it go.
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
CREATE INDEX set_aside_record ON set_aside(record_id);
