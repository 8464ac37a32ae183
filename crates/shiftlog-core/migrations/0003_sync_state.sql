-- Schema version 3: an organization that removed this device stops syncing; its records stay.
ALTER TABLE organizations ADD COLUMN removed_at TEXT;
-- The server's clock minus the device's, in seconds, at the last contact.
ALTER TABLE sync_state ADD COLUMN clock_skew_secs INTEGER;
