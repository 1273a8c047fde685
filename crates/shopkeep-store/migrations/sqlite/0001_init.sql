-- Ids are UUIDs stored as 16-byte blobs; times are Unix milliseconds.

CREATE TABLE sites (
    id              BLOB PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    public_key      TEXT NOT NULL UNIQUE,
    allowed_origins TEXT NOT NULL,          -- JSON array of origins
    hmac_secret     TEXT NOT NULL,
    color           TEXT NOT NULL,
    lang            TEXT,
    created_at      INTEGER NOT NULL
);

CREATE TABLE staff (
    id            BLOB PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'admin')),
    password_hash TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'away', 'offline')),
    lang          TEXT NOT NULL DEFAULT 'en',
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash   BLOB PRIMARY KEY,
    staff_id     BLOB NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_staff ON sessions (staff_id);

CREATE TABLE setup_tokens (
    token_hash BLOB PRIMARY KEY,
    expires_at INTEGER NOT NULL
);

CREATE TABLE visitors (
    id           BLOB PRIMARY KEY,
    site_id      BLOB NOT NULL REFERENCES sites (id),
    token_hash   BLOB NOT NULL UNIQUE,
    name         TEXT,
    email        TEXT,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);

CREATE TABLE conversations (
    id                BLOB PRIMARY KEY,
    site_id           BLOB NOT NULL REFERENCES sites (id),
    visitor_id        BLOB NOT NULL REFERENCES visitors (id),
    status            TEXT NOT NULL CHECK (status IN ('waiting', 'active', 'closed')),
    assignee_id       BLOB REFERENCES staff (id),
    last_seq          INTEGER NOT NULL DEFAULT 0,
    agent_delivered   INTEGER NOT NULL DEFAULT 0,
    visitor_delivered INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    closed_at         INTEGER,
    last_message_seq  INTEGER           -- the latest message event, for inbox previews
);
CREATE INDEX conversations_visitor ON conversations (visitor_id, created_at);
CREATE INDEX conversations_status ON conversations (status, updated_at);

-- The event log: the truth about every conversation.
CREATE TABLE events (
    conversation_id BLOB NOT NULL REFERENCES conversations (id),
    seq             INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    author_kind     TEXT NOT NULL CHECK (author_kind IN ('visitor', 'agent', 'system')),
    author_id       BLOB,
    author_name     TEXT,
    kind            TEXT NOT NULL,
    text            TEXT,
    client_msg_id   TEXT,
    PRIMARY KEY (conversation_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX events_client_msg ON events (conversation_id, client_msg_id)
    WHERE client_msg_id IS NOT NULL;
