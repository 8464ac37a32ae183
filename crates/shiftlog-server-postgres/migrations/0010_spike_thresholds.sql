-- shiftlog organization server (PostgreSQL backend): overdose spike thresholds, per area of the
-- organization's catalogue ('' is the default for every area). A NULL threshold is off.
CREATE TABLE spike_thresholds (
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    area         TEXT NOT NULL,
    threshold    INTEGER,
    window_hours INTEGER NOT NULL,
    PRIMARY KEY (org_id, area)
);
