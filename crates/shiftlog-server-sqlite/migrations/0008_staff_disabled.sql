-- Schema version 8: a staff account can be disabled (it cannot sign in; its sessions are ended
-- by the service when it is disabled). Kept as a row so the audit log and a re-enable need no
-- copy of the account.
ALTER TABLE staff ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));
