-- Team work: departments, routing limits, supervision, staff-only events,
-- read receipts, tags, canned answers, the internal chat and the audit log.

ALTER TABLE sites ADD COLUMN chat TEXT;                   -- JSON SiteChat; NULL = defaults
ALTER TABLE staff ADD COLUMN max_chats INTEGER NOT NULL DEFAULT 4;

CREATE TABLE departments (
    id             BLOB PRIMARY KEY,
    site_id        BLOB NOT NULL REFERENCES sites (id),
    position       INTEGER NOT NULL,
    name           TEXT NOT NULL,
    routing        TEXT NOT NULL CHECK (routing IN ('least_busy', 'round_robin', 'manual')),
    public         INTEGER NOT NULL,
    pages          TEXT NOT NULL DEFAULT '[]',        -- JSON array of URL parts
    notify_address TEXT,
    created_at     INTEGER NOT NULL
);
CREATE UNIQUE INDEX departments_name ON departments (site_id, name COLLATE NOCASE);
CREATE INDEX departments_site ON departments (site_id, position);

-- A rowid table on purpose: members are listed in the order they were given.
CREATE TABLE department_members (
    department_id BLOB NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    staff_id      BLOB NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    UNIQUE (department_id, staff_id)
);
CREATE INDEX department_members_staff ON department_members (staff_id);

ALTER TABLE conversations ADD COLUMN department_id BLOB
    REFERENCES departments (id) ON DELETE SET NULL;
ALTER TABLE conversations ADD COLUMN participants TEXT NOT NULL DEFAULT '[]';  -- JSON [{id, name}]
ALTER TABLE conversations ADD COLUMN unanswered_since INTEGER;
ALTER TABLE conversations ADD COLUMN assigned_at INTEGER;
-- The holder, kept when the chat goes back to a queue, for the history filter.
ALTER TABLE conversations ADD COLUMN last_assignee_id BLOB REFERENCES staff (id);
-- The last seq the visitor can see; last_seq counts staff-only events too.
ALTER TABLE conversations ADD COLUMN visible_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN agent_read INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN visitor_read INTEGER NOT NULL DEFAULT 0;
-- The history search's filters, each newest updated first.
CREATE INDEX conversations_department ON conversations (department_id, updated_at)
    WHERE department_id IS NOT NULL;
CREATE INDEX conversations_last_assignee ON conversations (last_assignee_id, updated_at)
    WHERE last_assignee_id IS NOT NULL;
CREATE INDEX conversations_updated ON conversations (updated_at);

-- Before this migration every event was visible to the visitor.
UPDATE conversations SET visible_seq = last_seq, last_assignee_id = assignee_id;
UPDATE conversations SET assigned_at = (
    SELECT MAX(e.at) FROM events e
    WHERE e.conversation_id = conversations.id AND e.kind = 'joined'
      AND e.author_id = conversations.assignee_id
) WHERE assignee_id IS NOT NULL;
UPDATE conversations SET unanswered_since = (
    SELECT MIN(e.at) FROM events e
    WHERE e.conversation_id = conversations.id AND e.kind = 'message'
      AND e.author_kind = 'visitor'
      AND e.seq > COALESCE((
          SELECT MAX(a.seq) FROM events a
          WHERE a.conversation_id = conversations.id AND a.kind = 'message'
            AND a.author_kind = 'agent'
      ), 0)
);

-- Set only where staff-only events lie between this event and the previous
-- one the visitor can see.
ALTER TABLE events ADD COLUMN visible_prev INTEGER;
-- The JSON body of events with more than a text (transferred).
ALTER TABLE events ADD COLUMN data TEXT;

CREATE TABLE conversation_tags (
    conversation_id BLOB NOT NULL REFERENCES conversations (id),
    tag             TEXT NOT NULL,
    PRIMARY KEY (conversation_id, tag)
) WITHOUT ROWID;
CREATE INDEX conversation_tags_tag ON conversation_tags (tag, conversation_id);

-- Rules named their department as free text; departments are records now,
-- so those rules go to the site's own queue.
UPDATE rules SET body = json_set(body, '$.department', NULL)
WHERE json_type(body, '$.department') IS NOT NULL;

CREATE TABLE canned (
    id         BLOB PRIMARY KEY,
    site_id    BLOB NOT NULL REFERENCES sites (id),
    owner_id   BLOB NOT NULL REFERENCES staff (id),
    shortcut   TEXT NOT NULL,
    title      TEXT NOT NULL,
    text       TEXT NOT NULL,
    variants   TEXT NOT NULL DEFAULT '{}',           -- JSON {lang: text}
    shared     INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX canned_personal ON canned (site_id, owner_id, shortcut) WHERE shared = 0;
CREATE UNIQUE INDEX canned_shared ON canned (site_id, shortcut) WHERE shared = 1;

CREATE TABLE internal_messages (
    id            BLOB PRIMARY KEY,                   -- UUIDv7: sorts by time
    room          TEXT NOT NULL,                      -- RoomKey::encode
    author_id     BLOB NOT NULL REFERENCES staff (id),
    author_name   TEXT NOT NULL,
    text          TEXT NOT NULL,
    at            INTEGER NOT NULL,
    client_msg_id TEXT NOT NULL,
    UNIQUE (room, author_id, client_msg_id)
);
CREATE INDEX internal_messages_room ON internal_messages (room, id);

-- No foreign keys: an entry outlives what it names.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              INTEGER NOT NULL,
    staff_id        BLOB NOT NULL,
    staff_name      TEXT NOT NULL,
    action          TEXT NOT NULL,
    conversation_id BLOB,
    reason          TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
