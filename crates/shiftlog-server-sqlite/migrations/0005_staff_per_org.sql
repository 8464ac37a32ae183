-- Schema version 5: a login name is unique within its organization only, so "name taken"
-- says nothing about other organizations. SQLite cannot drop a column's UNIQUE, so the table
-- is rebuilt. Sessions point at staff ids, which are kept: they are set aside while the old
-- table goes (dropping it with sessions in place would break their foreign key) and put back.
CREATE TEMP TABLE sessions_kept AS SELECT * FROM sessions;
DELETE FROM sessions;
CREATE TABLE staff_v5 (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations(id),
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'viewer')),
    created_at    TEXT NOT NULL,
    UNIQUE (org_id, username)
);
INSERT INTO staff_v5 (id, org_id, username, password_hash, role, created_at)
    SELECT id, org_id, username, password_hash, role, created_at FROM staff;
DROP TABLE staff;
ALTER TABLE staff_v5 RENAME TO staff;
CREATE INDEX staff_username ON staff (username);
INSERT INTO sessions SELECT * FROM sessions_kept;
DROP TABLE sessions_kept;
