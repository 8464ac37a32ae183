-- Schema version 4: records edited on several devices of one worker.
-- Hybrid logical clock of each record's current version (last writer wins, everywhere).
ALTER TABLE records ADD COLUMN hlc TEXT;
-- Envelope fields from a newer app version, kept verbatim and passed on (JSON object).
ALTER TABLE records ADD COLUMN unknown TEXT;
-- How far this device has pulled the worker's records from each organization.
ALTER TABLE sync_state ADD COLUMN pull_cursor INTEGER NOT NULL DEFAULT 0;
-- Two devices of one worker may each have a shift open in the same organization; "one open
-- shift" is a rule of this device's own starts (Core::start_shift), not of the data it pulls.
DROP INDEX records_one_open_shift;
CREATE INDEX records_open_shifts ON records(org_id)
    WHERE record_type = 'shift' AND ended_utc_ms IS NULL AND deleted = 0;
