-- Schema version 8: the open shift's tally counters (issue 14). One row per counter the
-- worker has tapped; every tap is one write (synchronous=FULL), so a phone that dies keeps
-- every tap it confirmed. When the shift ends, the rows become ordinary records marked
-- "source": "tally" and are deleted in the same transaction, so they roll up once.
CREATE TABLE tallies (
    shift_id   TEXT NOT NULL,
    -- item:<catalogue item id> | people:<activity kind id>
    counter    TEXT NOT NULL,
    count      INTEGER NOT NULL CHECK (count >= 0),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (shift_id, counter)
) WITHOUT ROWID;
