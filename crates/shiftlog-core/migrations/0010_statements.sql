-- Schema version 10: signed work statements the worker asked their organizations for.
-- `document` is the signed statement exactly as the server sent it (JSON), verified before it
-- was stored; `keys` is the organization's published key list at that moment, so the page
-- and a saved file can be checked again offline. The database is encrypted, so both are
-- encrypted at rest like every record. The short code names one statement of one
-- organization's register.
CREATE TABLE statements (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    short_code  TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to   TEXT NOT NULL,
    issued_at   TEXT NOT NULL,
    document    TEXT NOT NULL,
    keys        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    -- the organization's verify page for this statement, as its server was when it signed
    verify_url  TEXT NOT NULL,
    UNIQUE (org_id, short_code)
);
CREATE INDEX statements_received ON statements(received_at);
