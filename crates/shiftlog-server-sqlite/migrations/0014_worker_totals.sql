-- Schema version 14: running totals per local day and worker, kept by triggers like `totals`,
-- so a summary by worker pseudonym reads days × workers instead of every record (benchmark
-- P6). Keyed by every column of the `totals` key plus the worker: the by-worker summary
-- splits by worker and period and filters by day, type, kind and area, and the finer key
-- keeps the PostgreSQL backend's lock order (there a worker row is only ever taken under
-- the `totals` row it refines); the same table here keeps the shared SQL one. Records with
-- no worker count under '' (no pseudonym), as the join with `workers` did.
CREATE TABLE worker_totals (
    org_id         TEXT NOT NULL,
    day            TEXT NOT NULL,
    week           TEXT NOT NULL,
    month          TEXT NOT NULL,
    record_type    TEXT NOT NULL,
    kind           TEXT NOT NULL,
    area           TEXT NOT NULL,
    role           TEXT NOT NULL,
    on_shift       INTEGER NOT NULL,
    nav_task       TEXT NOT NULL,
    nav_outcome    TEXT NOT NULL,
    pay_type       TEXT NOT NULL,
    worker_id      TEXT NOT NULL,
    n              INTEGER NOT NULL,
    people_reached INTEGER NOT NULL,
    naloxone_doses INTEGER NOT NULL,
    minutes        INTEGER NOT NULL,
    shift_minutes  INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, record_type, kind, area, role, on_shift, nav_task, nav_outcome,
                 pay_type, worker_id)
) WITHOUT ROWID;

INSERT INTO worker_totals
    SELECT org_id, day, week, month, record_type, kind, coalesce(area, ''), coalesce(role, ''),
           on_shift, coalesce(nav_task, ''), coalesce(nav_outcome, ''), coalesce(pay_type, ''),
           coalesce(worker_id, ''), COUNT(*), SUM(people_reached), SUM(naloxone_doses),
           SUM(minutes), SUM(shift_minutes)
    FROM records WHERE NOT deleted
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13;

CREATE TRIGGER records_worker_totals_add AFTER INSERT ON records WHEN NOT NEW.deleted BEGIN
    INSERT INTO worker_totals VALUES (NEW.org_id, NEW.day, NEW.week, NEW.month,
        NEW.record_type, NEW.kind, coalesce(NEW.area, ''), coalesce(NEW.role, ''), NEW.on_shift,
        coalesce(NEW.nav_task, ''), coalesce(NEW.nav_outcome, ''), coalesce(NEW.pay_type, ''),
        coalesce(NEW.worker_id, ''), 1, NEW.people_reached, NEW.naloxone_doses, NEW.minutes,
        NEW.shift_minutes)
    ON CONFLICT DO UPDATE SET n = n + 1, people_reached = people_reached + excluded.people_reached,
        naloxone_doses = naloxone_doses + excluded.naloxone_doses,
        minutes = minutes + excluded.minutes, shift_minutes = shift_minutes + excluded.shift_minutes;
END;

CREATE TRIGGER records_worker_totals_remove AFTER UPDATE ON records WHEN NOT OLD.deleted BEGIN
    UPDATE worker_totals SET n = n - 1, people_reached = people_reached - OLD.people_reached,
        naloxone_doses = naloxone_doses - OLD.naloxone_doses, minutes = minutes - OLD.minutes,
        shift_minutes = shift_minutes - OLD.shift_minutes
    WHERE org_id = OLD.org_id AND day = OLD.day AND record_type = OLD.record_type
        AND kind = OLD.kind AND area = coalesce(OLD.area, '') AND role = coalesce(OLD.role, '')
        AND on_shift = OLD.on_shift AND nav_task = coalesce(OLD.nav_task, '')
        AND nav_outcome = coalesce(OLD.nav_outcome, '') AND pay_type = coalesce(OLD.pay_type, '')
        AND worker_id = coalesce(OLD.worker_id, '');
END;

CREATE TRIGGER records_worker_totals_readd AFTER UPDATE ON records WHEN NOT NEW.deleted BEGIN
    INSERT INTO worker_totals VALUES (NEW.org_id, NEW.day, NEW.week, NEW.month,
        NEW.record_type, NEW.kind, coalesce(NEW.area, ''), coalesce(NEW.role, ''), NEW.on_shift,
        coalesce(NEW.nav_task, ''), coalesce(NEW.nav_outcome, ''), coalesce(NEW.pay_type, ''),
        coalesce(NEW.worker_id, ''), 1, NEW.people_reached, NEW.naloxone_doses, NEW.minutes,
        NEW.shift_minutes)
    ON CONFLICT DO UPDATE SET n = n + 1, people_reached = people_reached + excluded.people_reached,
        naloxone_doses = naloxone_doses + excluded.naloxone_doses,
        minutes = minutes + excluded.minutes, shift_minutes = shift_minutes + excluded.shift_minutes;
END;

-- A row removed outright (a purge) takes its figures with it, as on PostgreSQL.
CREATE TRIGGER records_worker_totals_purge AFTER DELETE ON records WHEN NOT OLD.deleted BEGIN
    UPDATE worker_totals SET n = n - 1, people_reached = people_reached - OLD.people_reached,
        naloxone_doses = naloxone_doses - OLD.naloxone_doses, minutes = minutes - OLD.minutes,
        shift_minutes = shift_minutes - OLD.shift_minutes
    WHERE org_id = OLD.org_id AND day = OLD.day AND record_type = OLD.record_type
        AND kind = OLD.kind AND area = coalesce(OLD.area, '') AND role = coalesce(OLD.role, '')
        AND on_shift = OLD.on_shift AND nav_task = coalesce(OLD.nav_task, '')
        AND nav_outcome = coalesce(OLD.nav_outcome, '') AND pay_type = coalesce(OLD.pay_type, '')
        AND worker_id = coalesce(OLD.worker_id, '');
END;
