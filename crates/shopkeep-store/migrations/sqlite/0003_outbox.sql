-- The mail outbox and the SMTP settings staff enter in the console.

-- One row per mail. A mail is due while next_attempt_at <= now; claiming it
-- moves next_attempt_at past a lease, so a sender that dies mid-send leaves it
-- to be tried again later. Sent and given-up mails have no next attempt.
CREATE TABLE outbox (
    id              BLOB PRIMARY KEY,
    site_id         BLOB REFERENCES sites (id),
    kind            TEXT NOT NULL
                    CHECK (kind IN ('offline', 'reply', 'transcript', 'missed', 'test')),
    to_address      TEXT NOT NULL,
    reply_to        TEXT,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    -- Whoever enqueues names the cause (e.g. the event), so a retried write stores one mail.
    dedupe_key      TEXT UNIQUE,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_attempt_at INTEGER,
    last_error      TEXT,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX outbox_failed ON outbox (last_attempt_at)
    WHERE last_error IS NOT NULL AND sent_at IS NULL;

-- One row at most: the server's SMTP relay.
CREATE TABLE smtp_settings (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    host         TEXT NOT NULL,
    port         INTEGER NOT NULL,
    tls          TEXT NOT NULL CHECK (tls IN ('none', 'starttls', 'tls')),
    username     TEXT,
    password     TEXT,
    from_address TEXT NOT NULL,
    from_name    TEXT,
    updated_at   INTEGER NOT NULL
);
