-- Schema version 4: a login name is unique within its organization only, so "name taken"
-- says nothing about other organizations.
ALTER TABLE staff DROP CONSTRAINT IF EXISTS staff_username_key;
ALTER TABLE staff ADD CONSTRAINT staff_org_username_key UNIQUE (org_id, username);
CREATE INDEX staff_username ON staff (username);
