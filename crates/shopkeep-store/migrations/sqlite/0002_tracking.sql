-- Visitor tracking: contacts, visits and pages, attributes, invitation rules, staff photos.

ALTER TABLE sites ADD COLUMN tracking TEXT;            -- JSON TrackingSettings; NULL = defaults
ALTER TABLE sites ADD COLUMN greetings TEXT NOT NULL DEFAULT '{}';

ALTER TABLE staff ADD COLUMN photo_at INTEGER;         -- when the photo was set, for cache busting

CREATE TABLE staff_photos (
    staff_id     BLOB PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL
);

-- Customers the shop vouched for with a valid identity HMAC.
CREATE TABLE contacts (
    id           BLOB PRIMARY KEY,
    site_id      BLOB NOT NULL REFERENCES sites (id),
    external_id  TEXT NOT NULL,
    name         TEXT,
    email        TEXT,
    phone        TEXT,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    UNIQUE (site_id, external_id)
);

ALTER TABLE visitors ADD COLUMN phone TEXT;
ALTER TABLE visitors ADD COLUMN contact_id BLOB REFERENCES contacts (id);
ALTER TABLE visitors ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE visitors ADD COLUMN visits INTEGER NOT NULL DEFAULT 0;
CREATE INDEX visitors_contact ON visitors (contact_id) WHERE contact_id IS NOT NULL;

ALTER TABLE conversations ADD COLUMN contact_id BLOB REFERENCES contacts (id);
CREATE INDEX conversations_contact ON conversations (contact_id, created_at)
    WHERE contact_id IS NOT NULL;

CREATE TABLE visits (
    id           BLOB PRIMARY KEY,
    visitor_id   BLOB NOT NULL REFERENCES visitors (id),
    site_id      BLOB NOT NULL REFERENCES sites (id),
    number       INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    referrer     TEXT,
    utm_source   TEXT,
    country      TEXT,
    browser      TEXT,
    os           TEXT,
    device       TEXT NOT NULL DEFAULT 'unknown',
    lang         TEXT
);
CREATE INDEX visits_visitor ON visits (visitor_id, started_at);

CREATE TABLE page_views (
    visit_id BLOB NOT NULL REFERENCES visits (id),
    at       INTEGER NOT NULL,
    url      TEXT NOT NULL,
    title    TEXT NOT NULL
);
CREATE INDEX page_views_visit ON page_views (visit_id, at);

CREATE TABLE rules (
    id         BLOB PRIMARY KEY,
    site_id    BLOB NOT NULL REFERENCES sites (id),
    body       TEXT NOT NULL,                         -- JSON RuleDraft
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX rules_site ON rules (site_id, created_at);
