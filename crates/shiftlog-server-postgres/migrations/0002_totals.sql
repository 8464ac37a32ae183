-- Schema version 2: running totals per local day, kept by triggers, so a summary reads a few
-- thousand rows instead of every record (benchmark P6). Same tables as the SQLite backend's
-- schema 3. Ingest writes records in the order of these keys, so concurrent pushes lock
-- totals rows in one order and cannot deadlock on them.
CREATE TABLE totals (
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
    n              BIGINT NOT NULL,
    people_reached BIGINT NOT NULL,
    naloxone_doses BIGINT NOT NULL,
    minutes        BIGINT NOT NULL,
    shift_minutes  BIGINT NOT NULL,
    PRIMARY KEY (org_id, day, record_type, kind, area, role, on_shift, nav_task, nav_outcome, pay_type)
);

CREATE TABLE item_totals (
    org_id      TEXT NOT NULL,
    day         TEXT NOT NULL,
    week        TEXT NOT NULL,
    month       TEXT NOT NULL,
    area        TEXT NOT NULL,
    item        TEXT NOT NULL,
    lines       BIGINT NOT NULL,
    quantity    BIGINT NOT NULL,
    PRIMARY KEY (org_id, day, area, item)
);

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

CREATE FUNCTION records_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.deleted THEN
        UPDATE totals SET n = n - 1, people_reached = people_reached - OLD.people_reached,
            naloxone_doses = naloxone_doses - OLD.naloxone_doses, minutes = minutes - OLD.minutes,
            shift_minutes = shift_minutes - OLD.shift_minutes
        WHERE org_id = OLD.org_id AND day = OLD.day AND record_type = OLD.record_type
            AND kind = OLD.kind AND area = coalesce(OLD.area, '') AND role = coalesce(OLD.role, '')
            AND on_shift = OLD.on_shift AND nav_task = coalesce(OLD.nav_task, '')
            AND nav_outcome = coalesce(OLD.nav_outcome, '') AND pay_type = coalesce(OLD.pay_type, '');
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.deleted THEN
        INSERT INTO totals VALUES (NEW.org_id, NEW.day, NEW.week, NEW.month, NEW.record_type,
            NEW.kind, coalesce(NEW.area, ''), coalesce(NEW.role, ''), NEW.on_shift,
            coalesce(NEW.nav_task, ''), coalesce(NEW.nav_outcome, ''), coalesce(NEW.pay_type, ''),
            1, NEW.people_reached, NEW.naloxone_doses, NEW.minutes, NEW.shift_minutes)
        ON CONFLICT (org_id, day, record_type, kind, area, role, on_shift, nav_task, nav_outcome, pay_type)
        DO UPDATE SET n = totals.n + 1,
            people_reached = totals.people_reached + excluded.people_reached,
            naloxone_doses = totals.naloxone_doses + excluded.naloxone_doses,
            minutes = totals.minutes + excluded.minutes,
            shift_minutes = totals.shift_minutes + excluded.shift_minutes;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER records_totals AFTER INSERT OR UPDATE OR DELETE ON records
    FOR EACH ROW EXECUTE FUNCTION records_totals();

CREATE FUNCTION record_items_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE item_totals t SET lines = t.lines - 1, quantity = t.quantity - OLD.quantity
        FROM records r
        WHERE r.id = OLD.record_id AND NOT r.deleted AND t.org_id = r.org_id AND t.day = r.day
            AND t.area = coalesce(r.area, '') AND t.item = OLD.item;
        RETURN NULL;
    END IF;
    INSERT INTO item_totals
        SELECT r.org_id, r.day, r.week, r.month, coalesce(r.area, ''), NEW.item, 1, NEW.quantity
        FROM records r WHERE r.id = NEW.record_id AND NOT r.deleted
    ON CONFLICT (org_id, day, area, item) DO UPDATE SET lines = item_totals.lines + 1,
        quantity = item_totals.quantity + excluded.quantity;
    RETURN NULL;
END $$;
CREATE TRIGGER record_items_totals AFTER INSERT OR DELETE ON record_items
    FOR EACH ROW EXECUTE FUNCTION record_items_totals();
