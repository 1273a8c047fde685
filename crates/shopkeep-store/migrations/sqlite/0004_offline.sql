-- Offline messages, missed chats, opening hours and per-site mail settings.

ALTER TABLE conversations ADD COLUMN offline INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN missed INTEGER NOT NULL DEFAULT 0;

ALTER TABLE sites ADD COLUMN hours TEXT;                  -- JSON BusinessHours; NULL = always open
ALTER TABLE sites ADD COLUMN mail TEXT;                   -- JSON SiteMail; NULL = defaults
