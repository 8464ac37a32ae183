-- The retention purge after every sync (records/purge.rs) looks for an organization's
-- confirmed records older than its window; without this it read the whole table (about 1 µs
-- a record held). Partial, so that the outbox's search of records still to send keeps
-- records_pending (a full index on the same columns would be chosen for it instead).
CREATE INDEX records_purgeable ON records(org_id, occurred_utc_ms) WHERE sync_change_counter = 0;
