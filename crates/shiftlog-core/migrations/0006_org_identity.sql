-- Schema version 6: an organization is known by its server and the server's id for it.
-- `id` stays this device's own key (records, check-ins and sync state point at it). Before
-- this version a server's id was taken as the local id, so a server could name an existing
-- organization, even one kept on this device only, and receive its records. Now enrollment
-- looks for (server_url, server_org_id) only; anything else gets a row of its own.
ALTER TABLE organizations ADD COLUMN server_org_id TEXT;
UPDATE organizations SET server_org_id = id WHERE server_url IS NOT NULL;
CREATE UNIQUE INDEX organizations_server_identity ON organizations(server_url, server_org_id)
    WHERE server_url IS NOT NULL;
-- Check-ins are purged by age (the worker's retention setting).
CREATE INDEX checkins_created ON checkins(created_utc_ms);
-- A profile that already holds check-ins keeps them until the worker chooses a period in
-- Settings: the 30-day default is for profiles made from now on, and removing a worker's own
-- notes on an upgrade, unasked, would be a silent loss.
INSERT OR IGNORE INTO settings (key, value)
    SELECT 'checkin_retention_days', 'keep' WHERE EXISTS (SELECT 1 FROM checkins);
