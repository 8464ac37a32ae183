-- Schema version 5: sessions remember when they were last used (idle timeout, decided in the service).
ALTER TABLE sessions ADD COLUMN last_used_at TEXT;
