-- Schema version 13: running totals per local day and worker, kept by a trigger like
-- `totals`, so a summary by worker pseudonym reads days × workers instead of every record
-- (benchmark P6). Same table as the SQLite backend's schema 14. Keyed by every column of the
-- `totals` key plus the worker, for the lock order: ingest writes a push's records (one
-- worker) in the order of the totals key, and this trigger runs after `records_totals` for
-- the same row (triggers fire in name order), so a transaction only ever takes a
-- `worker_totals` row while it holds the `totals` row that row refines; concurrent pushes
-- therefore cannot deadlock on the two tables. Records with no worker count under ''.
CREATE TABLE worker_totals (
    org_id         TEXT NOT NULL,
    day            TEXT NOT NULL,
    week           TEXT NOT NULL,
    month          TEXT NOT NULL,
    record_type    TEXT NOT NULL,
    kind           TEXT NOT NULL,
    area           TEXT NOT NULL,
    role           TEXT NOT NULL,
    on_shift       BOOLEAN NOT NULL,
    nav_task       TEXT NOT NULL,
    nav_outcome    TEXT NOT NULL,
    pay_type       TEXT NOT NULL,
    worker_id      TEXT NOT NULL,
    n              BIGINT NOT NULL,
    people_reached BIGINT NOT NULL,
    naloxone_doses BIGINT NOT NULL,
    minutes        BIGINT NOT NULL,
    shift_minutes  BIGINT NOT NULL,
    PRIMARY KEY (org_id, day, record_type, kind, area, role, on_shift, nav_task, nav_outcome,
                 pay_type, worker_id)
);

INSERT INTO worker_totals
    SELECT org_id, day, week, month, record_type, kind, coalesce(area, ''), coalesce(role, ''),
           on_shift, coalesce(nav_task, ''), coalesce(nav_outcome, ''), coalesce(pay_type, ''),
           coalesce(worker_id, ''), COUNT(*), SUM(people_reached), SUM(naloxone_doses),
           SUM(minutes), SUM(shift_minutes)
    FROM records WHERE NOT deleted
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13;

CREATE FUNCTION records_worker_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.deleted THEN
        UPDATE worker_totals SET n = n - 1, people_reached = people_reached - OLD.people_reached,
            naloxone_doses = naloxone_doses - OLD.naloxone_doses, minutes = minutes - OLD.minutes,
            shift_minutes = shift_minutes - OLD.shift_minutes
        WHERE org_id = OLD.org_id AND day = OLD.day AND record_type = OLD.record_type
            AND kind = OLD.kind AND area = coalesce(OLD.area, '') AND role = coalesce(OLD.role, '')
            AND on_shift = OLD.on_shift AND nav_task = coalesce(OLD.nav_task, '')
            AND nav_outcome = coalesce(OLD.nav_outcome, '') AND pay_type = coalesce(OLD.pay_type, '')
            AND worker_id = coalesce(OLD.worker_id, '');
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.deleted THEN
        INSERT INTO worker_totals VALUES (NEW.org_id, NEW.day, NEW.week, NEW.month,
            NEW.record_type, NEW.kind, coalesce(NEW.area, ''), coalesce(NEW.role, ''),
            NEW.on_shift, coalesce(NEW.nav_task, ''), coalesce(NEW.nav_outcome, ''),
            coalesce(NEW.pay_type, ''), coalesce(NEW.worker_id, ''), 1, NEW.people_reached,
            NEW.naloxone_doses, NEW.minutes, NEW.shift_minutes)
        ON CONFLICT (org_id, day, record_type, kind, area, role, on_shift, nav_task, nav_outcome,
                     pay_type, worker_id)
        DO UPDATE SET n = worker_totals.n + 1,
            people_reached = worker_totals.people_reached + excluded.people_reached,
            naloxone_doses = worker_totals.naloxone_doses + excluded.naloxone_doses,
            minutes = worker_totals.minutes + excluded.minutes,
            shift_minutes = worker_totals.shift_minutes + excluded.shift_minutes;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER records_worker_totals AFTER INSERT OR UPDATE OR DELETE ON records
    FOR EACH ROW EXECUTE FUNCTION records_worker_totals();
