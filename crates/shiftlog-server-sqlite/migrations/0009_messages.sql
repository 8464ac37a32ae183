-- Messages from the organization to its devices (alerts and notices), and which devices
-- have stored each one (how deliveries are counted: counts only, never shown per device).
CREATE TABLE messages (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    urgency      TEXT NOT NULL CHECK (urgency IN ('alert', 'notice')),
    text         TEXT NOT NULL,
    role         TEXT,
    posted_at    TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    posted_by    TEXT NOT NULL,
    withdrawn_at TEXT
);
CREATE INDEX messages_org ON messages (org_id, posted_at);

CREATE TABLE message_receipts (
    message_id  TEXT NOT NULL REFERENCES messages(id),
    device_id   TEXT NOT NULL REFERENCES devices(id),
    received_at TEXT NOT NULL,
    PRIMARY KEY (message_id, device_id)
);
