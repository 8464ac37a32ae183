-- Schema version 3: running totals per local day, kept by triggers, so a summary reads a few
-- thousand rows instead of every record (benchmark P6). Unset dimensions are '' (not NULL) so
-- they can be part of the key. Worker summaries still read `records`.
CREATE TABLE totals (
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
    n              INTEGER NOT NULL,
    people_reached INTEGER NOT NULL,
    naloxone_doses INTEGER NOT NULL,
    minutes        INTEGER NOT NULL,
    shift_minutes  INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, record_type, kind, area, role, on_shift, nav_task, nav_outcome, pay_type)
) WITHOUT ROWID;

CREATE TABLE item_totals (
    org_id      TEXT NOT NULL,
    day         TEXT NOT NULL,
    week        TEXT NOT NULL,
    month       TEXT NOT NULL,
    area        TEXT NOT NULL,
    item        TEXT NOT NULL,
    lines       INTEGER NOT NULL,
    quantity    INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, area, item)
) WITHOUT ROWID;

INSERT INTO totals
    SELECT org_id, day, week, month, record_type, kind, coalesce(area, ''), coalesce(role, ''),
           on_shift, coalesce(nav_task, ''), coalesce(nav_outcome, ''), coalesce(pay_type, ''),
           COUNT(*), SUM(people_reached), SUM(naloxone_doses), SUM(minutes), SUM(shift_minutes)
    FROM records WHERE NOT deleted
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12;
INSERT INTO item_totals
    SELECT r.org_id, r.day, r.week, r.month, coalesce(r.area, ''), i.item, COUNT(*), SUM(i.quantity)
    FROM record_items i JOIN records r ON r.id = i.record_id WHERE NOT r.deleted
    GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TRIGGER records_totals_add AFTER INSERT ON records WHEN NOT NEW.deleted BEGIN
    INSERT INTO totals VALUES (NEW.org_id, NEW.day, NEW.week, NEW.month, NEW.record_type, NEW.kind,
        coalesce(NEW.area, ''), coalesce(NEW.role, ''), NEW.on_shift, coalesce(NEW.nav_task, ''),
        coalesce(NEW.nav_outcome, ''), coalesce(NEW.pay_type, ''), 1, NEW.people_reached,
        NEW.naloxone_doses, NEW.minutes, NEW.shift_minutes)
    ON CONFLICT DO UPDATE SET n = n + 1, people_reached = people_reached + excluded.people_reached,
        naloxone_doses = naloxone_doses + excluded.naloxone_doses,
        minutes = minutes + excluded.minutes, shift_minutes = shift_minutes + excluded.shift_minutes;
END;

CREATE TRIGGER records_totals_remove AFTER UPDATE ON records WHEN NOT OLD.deleted BEGIN
    UPDATE totals SET n = n - 1, people_reached = people_reached - OLD.people_reached,
        naloxone_doses = naloxone_doses - OLD.naloxone_doses, minutes = minutes - OLD.minutes,
        shift_minutes = shift_minutes - OLD.shift_minutes
    WHERE org_id = OLD.org_id AND day = OLD.day AND record_type = OLD.record_type
        AND kind = OLD.kind AND area = coalesce(OLD.area, '') AND role = coalesce(OLD.role, '')
        AND on_shift = OLD.on_shift AND nav_task = coalesce(OLD.nav_task, '')
        AND nav_outcome = coalesce(OLD.nav_outcome, '') AND pay_type = coalesce(OLD.pay_type, '');
END;

CREATE TRIGGER records_totals_readd AFTER UPDATE ON records WHEN NOT NEW.deleted BEGIN
    INSERT INTO totals VALUES (NEW.org_id, NEW.day, NEW.week, NEW.month, NEW.record_type, NEW.kind,
        coalesce(NEW.area, ''), coalesce(NEW.role, ''), NEW.on_shift, coalesce(NEW.nav_task, ''),
        coalesce(NEW.nav_outcome, ''), coalesce(NEW.pay_type, ''), 1, NEW.people_reached,
        NEW.naloxone_doses, NEW.minutes, NEW.shift_minutes)
    ON CONFLICT DO UPDATE SET n = n + 1, people_reached = people_reached + excluded.people_reached,
        naloxone_doses = naloxone_doses + excluded.naloxone_doses,
        minutes = minutes + excluded.minutes, shift_minutes = shift_minutes + excluded.shift_minutes;
END;

-- Items belong to a live record: ingest deletes a record's old items before it updates the
-- record, and inserts the new ones after.
CREATE TRIGGER record_items_add AFTER INSERT ON record_items BEGIN
    INSERT INTO item_totals
        SELECT r.org_id, r.day, r.week, r.month, coalesce(r.area, ''), NEW.item, 1, NEW.quantity
        FROM records r WHERE r.id = NEW.record_id AND NOT r.deleted
    ON CONFLICT DO UPDATE SET lines = lines + 1, quantity = quantity + excluded.quantity;
END;

CREATE TRIGGER record_items_remove AFTER DELETE ON record_items BEGIN
    UPDATE item_totals SET lines = lines - 1, quantity = quantity - OLD.quantity
    WHERE (org_id, day, area, item) IN (
        SELECT r.org_id, r.day, coalesce(r.area, ''), OLD.item
        FROM records r WHERE r.id = OLD.record_id AND NOT r.deleted);
END;
