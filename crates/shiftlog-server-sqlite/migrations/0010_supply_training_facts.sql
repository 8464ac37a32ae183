-- Schema version 10: supplies lines keep what was brought back, and why a naloxone kit handed
-- out replaces one, apart from what was handed out; wanted training is counted by topic.
-- Records stored before this version could carry neither (the server refused fields it did
-- not define), so their lines are all handed out with no reason. Their wanted topics are read
-- from the stored bodies (trimmed, lower case; the model's topic_key also joins the words
-- with one space, which SQL cannot, so a topic typed with double spaces before the upgrade
-- may count apart).
ALTER TABLE record_items ADD COLUMN returned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE record_items ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN wanted_topic TEXT;

DROP TRIGGER record_items_add;
DROP TRIGGER record_items_remove;
CREATE TABLE item_totals_v10 (
    org_id      TEXT NOT NULL,
    day         TEXT NOT NULL,
    week        TEXT NOT NULL,
    month       TEXT NOT NULL,
    area        TEXT NOT NULL,
    item        TEXT NOT NULL,
    returned    INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    lines       INTEGER NOT NULL,
    quantity    INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, area, item, returned, reason)
) WITHOUT ROWID;
INSERT INTO item_totals_v10
    SELECT org_id, day, week, month, area, item, 0, '', lines, quantity FROM item_totals;
DROP TABLE item_totals;
ALTER TABLE item_totals_v10 RENAME TO item_totals;

CREATE TRIGGER record_items_add AFTER INSERT ON record_items BEGIN
    INSERT INTO item_totals
        SELECT r.org_id, r.day, r.week, r.month, coalesce(r.area, ''), NEW.item, NEW.returned,
               NEW.reason, 1, NEW.quantity
        FROM records r WHERE r.id = NEW.record_id AND NOT r.deleted
    ON CONFLICT DO UPDATE SET lines = lines + 1, quantity = quantity + excluded.quantity;
END;

CREATE TRIGGER record_items_remove AFTER DELETE ON record_items BEGIN
    UPDATE item_totals SET lines = lines - 1, quantity = quantity - OLD.quantity
    WHERE (org_id, day, area, item, returned, reason) IN (
        SELECT r.org_id, r.day, coalesce(r.area, ''), OLD.item, OLD.returned, OLD.reason
        FROM records r WHERE r.id = OLD.record_id AND NOT r.deleted);
END;

UPDATE records SET wanted_topic = lower(trim(json_extract(body, '$.topic')))
    WHERE record_type = 'training' AND NOT deleted
      AND json_extract(body, '$.status') = 'wanted';

CREATE TABLE training_totals (
    org_id      TEXT NOT NULL,
    day         TEXT NOT NULL,
    week        TEXT NOT NULL,
    month       TEXT NOT NULL,
    topic       TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, topic)
) WITHOUT ROWID;
INSERT INTO training_totals
    SELECT org_id, day, week, month, wanted_topic, COUNT(*) FROM records
    WHERE wanted_topic IS NOT NULL AND NOT deleted GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER records_training_add AFTER INSERT ON records
    WHEN NOT NEW.deleted AND NEW.wanted_topic IS NOT NULL BEGIN
    INSERT INTO training_totals VALUES (NEW.org_id, NEW.day, NEW.week, NEW.month,
        NEW.wanted_topic, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER records_training_remove AFTER UPDATE ON records
    WHEN NOT OLD.deleted AND OLD.wanted_topic IS NOT NULL BEGIN
    UPDATE training_totals SET n = n - 1
    WHERE org_id = OLD.org_id AND day = OLD.day AND topic = OLD.wanted_topic;
END;

CREATE TRIGGER records_training_readd AFTER UPDATE ON records
    WHEN NOT NEW.deleted AND NEW.wanted_topic IS NOT NULL BEGIN
    INSERT INTO training_totals VALUES (NEW.org_id, NEW.day, NEW.week, NEW.month,
        NEW.wanted_topic, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
