-- Schema version 9: supplies lines keep what was brought back, and why a naloxone kit handed
-- out replaces one, apart from what was handed out; wanted training is counted by topic.
-- Records stored before this version could carry neither (the server refused fields it did
-- not define), so their lines are all handed out with no reason. Their wanted topics are read
-- from the stored bodies (lower case, words joined by one space, as the model's topic_key).
ALTER TABLE record_items ADD COLUMN returned BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE record_items ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN wanted_topic TEXT;

ALTER TABLE item_totals ADD COLUMN returned BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE item_totals ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE item_totals DROP CONSTRAINT item_totals_pkey;
ALTER TABLE item_totals ADD PRIMARY KEY (org_id, day, area, item, returned, reason);

CREATE OR REPLACE FUNCTION record_items_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE item_totals t SET lines = t.lines - 1, quantity = t.quantity - OLD.quantity
        FROM records r
        WHERE r.id = OLD.record_id AND NOT r.deleted AND t.org_id = r.org_id AND t.day = r.day
            AND t.area = coalesce(r.area, '') AND t.item = OLD.item
            AND t.returned = OLD.returned AND t.reason = OLD.reason;
        RETURN NULL;
    END IF;
    INSERT INTO item_totals (org_id, day, week, month, area, item, returned, reason, lines, quantity)
        SELECT r.org_id, r.day, r.week, r.month, coalesce(r.area, ''), NEW.item, NEW.returned,
               NEW.reason, 1, NEW.quantity
        FROM records r WHERE r.id = NEW.record_id AND NOT r.deleted
    ON CONFLICT (org_id, day, area, item, returned, reason) DO UPDATE
        SET lines = item_totals.lines + 1, quantity = item_totals.quantity + excluded.quantity;
    RETURN NULL;
END $$;

UPDATE records
    SET wanted_topic = lower(regexp_replace(btrim((body::jsonb)->>'topic'), '\s+', ' ', 'g'))
    WHERE record_type = 'training' AND NOT deleted AND (body::jsonb)->>'status' = 'wanted';

CREATE TABLE training_totals (
    org_id      TEXT NOT NULL,
    day         TEXT NOT NULL,
    week        TEXT NOT NULL,
    month       TEXT NOT NULL,
    topic       TEXT NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (org_id, day, topic)
);
INSERT INTO training_totals
    SELECT org_id, day, week, month, wanted_topic, COUNT(*) FROM records
    WHERE wanted_topic IS NOT NULL AND NOT deleted GROUP BY 1, 2, 3, 4, 5;

CREATE FUNCTION records_training_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.deleted AND OLD.wanted_topic IS NOT NULL THEN
        UPDATE training_totals SET n = n - 1
        WHERE org_id = OLD.org_id AND day = OLD.day AND topic = OLD.wanted_topic;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.deleted AND NEW.wanted_topic IS NOT NULL THEN
        INSERT INTO training_totals VALUES (NEW.org_id, NEW.day, NEW.week, NEW.month,
            NEW.wanted_topic, 1)
        ON CONFLICT (org_id, day, topic) DO UPDATE SET n = training_totals.n + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER records_training_totals AFTER INSERT OR UPDATE OR DELETE ON records
    FOR EACH ROW EXECUTE FUNCTION records_training_totals();
