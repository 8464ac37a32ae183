-- Staff API tokens get an id, a name, a scope, an expiry, who made them and their last use.
-- Existing tokens keep working as coordinators, named by their label, for 90 days from now.
ALTER TABLE staff_tokens RENAME COLUMN label TO name;
ALTER TABLE staff_tokens ADD COLUMN id TEXT;
ALTER TABLE staff_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'coordinator'
    CHECK (scope IN ('summary', 'coordinator'));
ALTER TABLE staff_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE staff_tokens ADD COLUMN created_by TEXT NOT NULL DEFAULT 'migration';
ALTER TABLE staff_tokens ADD COLUMN last_used_at TEXT;

UPDATE staff_tokens SET
    id = md5(random()::text || token_hash)::uuid::text,
    expires_at = to_char((now() AT TIME ZONE 'UTC') + interval '90 days',
                         'YYYY-MM-DD"T"HH24:MI:SS"+00:00"');

ALTER TABLE staff_tokens ALTER COLUMN id SET NOT NULL;
ALTER TABLE staff_tokens ADD CONSTRAINT staff_tokens_id_key UNIQUE (id);
ALTER TABLE staff_tokens ALTER COLUMN expires_at SET NOT NULL;
ALTER TABLE staff_tokens ALTER COLUMN scope DROP DEFAULT;
ALTER TABLE staff_tokens ALTER COLUMN created_by DROP DEFAULT;
CREATE INDEX staff_tokens_org ON staff_tokens (org_id, created_at);
