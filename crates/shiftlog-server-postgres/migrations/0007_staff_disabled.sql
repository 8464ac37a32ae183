-- Schema version 7: a staff account can be disabled (it cannot sign in; its sessions are ended
-- by the service when it is disabled). Kept as a row so the audit log and a re-enable need no
-- copy of the account.
ALTER TABLE staff ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
