-- Schema version 9: the worker's pay ledger (docs/pay.md). What a worker was paid is theirs:
-- these rows never enter the sync outbox (they are not in `records`, which is the outbox).
-- Sharing a line writes a separate `payment` record into `records`, and only that record
-- leaves the device; `shared_record_id` points at it. Encrypted at rest with the rest of the
-- database; a deleted line is overwritten (secure_delete).
CREATE TABLE payments (
    id               TEXT PRIMARY KEY,          -- UUIDv7, made on the device
    org_id           TEXT NOT NULL REFERENCES organizations(id),
    amount_cents     INTEGER NOT NULL CHECK (amount_cents > 0),
    currency         TEXT NOT NULL DEFAULT 'CAD',
    paid_on          TEXT NOT NULL,             -- YYYY-MM-DD, the worker's local day
    method           TEXT NOT NULL,             -- cash | cheque | e_transfer | gift_card
    shift_ids        TEXT NOT NULL DEFAULT '[]', -- JSON array of the shift record ids it was for
    note             TEXT,                      -- short, checked like every note; never shared
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    shared_record_id TEXT                       -- the shared `payment` record; NULL: not shared
);
CREATE INDEX payments_paid_on ON payments(paid_on, org_id);
