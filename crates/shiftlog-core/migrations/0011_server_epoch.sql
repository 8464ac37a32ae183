-- Schema version 11: the data epoch each organization's server last gave (ServerInfo.data_epoch).
-- When it changes the server's database was restored from a backup: every record this device
-- holds for that organization is sent again and its records are pulled from the start, so
-- nothing the server confirmed after the backup is lost (sync/epoch.rs).
ALTER TABLE organizations ADD COLUMN server_epoch TEXT;
