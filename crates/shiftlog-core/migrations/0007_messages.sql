-- Schema version 7: messages and alerts from an organization to its devices.
-- Kept (in the encrypted database, like everything else) so an alert stays readable
-- offline; dropped when it expires or its server no longer lists it (withdrawn). The id is
-- the server's, so a row is keyed by the organization it came from as well.
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
CREATE INDEX messages_expires ON messages(expires_utc_ms);
