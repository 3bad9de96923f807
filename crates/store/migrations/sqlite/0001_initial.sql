-- Tidings schema, SQLite. Keep in step with ../postgres/0001_initial.sql:
-- a test checks that both backends end up with the same tables and columns.
-- Conventions: times are BIGINT unix milliseconds (UTC); flags are 0/1 integers;
-- JSON lists are TEXT.

CREATE TABLE counters (
    name  TEXT PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL DEFAULT 0
);
INSERT INTO counters (name, value) VALUES ('article_change', 0), ('story_change', 0);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE nodes (
    id           TEXT PRIMARY KEY NOT NULL,
    role         TEXT NOT NULL,
    hostname     TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
);

CREATE TABLE sources (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    url               TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL DEFAULT 'feed',
    name              TEXT,
    title             TEXT,
    site_url          TEXT,
    description       TEXT,
    language          TEXT,
    display           TEXT NOT NULL DEFAULT 'excerpt',
    enabled           INTEGER NOT NULL DEFAULT 1,
    disabled_reason   TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    etag              TEXT,
    last_modified     TEXT,
    last_fetch_at     INTEGER,
    last_success_at   INTEGER,
    last_status       INTEGER,
    last_error        TEXT,
    error_count       INTEGER NOT NULL DEFAULT 0,
    next_fetch_at     INTEGER NOT NULL DEFAULT 0,
    fetch_interval_ms INTEGER NOT NULL DEFAULT 900000,
    last_new_at       INTEGER
);
CREATE INDEX sources_due ON sources (enabled, next_fetch_at);

CREATE TABLE hosts (
    host              TEXT PRIMARY KEY NOT NULL,
    next_allowed_at   INTEGER NOT NULL DEFAULT 0,
    in_flight         INTEGER NOT NULL DEFAULT 0,
    crawl_delay_ms    INTEGER,
    robots_txt        TEXT,
    robots_status     INTEGER,
    robots_fetched_at INTEGER
);

CREATE TABLE stories (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    title             TEXT NOT NULL,
    lead_article_id   INTEGER,
    first_seen_at     INTEGER NOT NULL,
    last_seen_at      INTEGER NOT NULL,
    article_count     INTEGER NOT NULL DEFAULT 0,
    source_count      INTEGER NOT NULL DEFAULT 0,
    features          BLOB,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    change_seq        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX stories_last_seen ON stories (last_seen_at);

CREATE TABLE articles (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id        INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    url              TEXT NOT NULL UNIQUE,
    original_url     TEXT NOT NULL,
    title            TEXT NOT NULL,
    description      TEXT,
    authors          TEXT NOT NULL DEFAULT '[]',
    published_at     INTEGER,
    published_offset INTEGER,
    modified_at      INTEGER,
    site_name        TEXT,
    language         TEXT,
    image_url        TEXT,
    image_alt        TEXT,
    image_width      INTEGER,
    image_height     INTEGER,
    section          TEXT,
    tags             TEXT NOT NULL DEFAULT '[]',
    videos           TEXT NOT NULL DEFAULT '[]',
    html             TEXT NOT NULL DEFAULT '',
    text             TEXT NOT NULL DEFAULT '',
    word_count       INTEGER NOT NULL DEFAULT 0,
    extract_status   TEXT NOT NULL DEFAULT 'extracted',
    extract_error    TEXT,
    content_hash     TEXT,
    simhash          INTEGER,
    duplicate_of     INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    story_id         INTEGER REFERENCES stories (id) ON DELETE SET NULL,
    story_score      REAL,
    keywords         TEXT NOT NULL DEFAULT '[]',
    entities         TEXT NOT NULL DEFAULT '[]',
    features         BLOB,
    fetched_at       INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    change_seq       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX articles_published ON articles (published_at);
CREATE INDEX articles_created ON articles (created_at);
CREATE INDEX articles_source ON articles (source_id, published_at);
CREATE INDEX articles_story ON articles (story_id);
CREATE INDEX articles_change ON articles (change_seq);
CREATE INDEX articles_hash ON articles (content_hash);
CREATE INDEX articles_dup ON articles (duplicate_of);

CREATE TABLE article_bands (
    band       INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (band, article_id)
);
CREATE INDEX article_bands_article ON article_bands (article_id);

CREATE TABLE feed_entries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id     INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    guid          TEXT NOT NULL,
    url           TEXT,
    title         TEXT,
    summary       TEXT,
    content       TEXT,
    authors       TEXT NOT NULL DEFAULT '[]',
    categories    TEXT NOT NULL DEFAULT '[]',
    image_url     TEXT,
    published_at  INTEGER,
    first_seen_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    article_id    INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    UNIQUE (source_id, guid)
);
CREATE INDEX feed_entries_article ON feed_entries (article_id);
CREATE INDEX feed_entries_url ON feed_entries (url);

CREATE TABLE topics (
    slug  TEXT PRIMARY KEY NOT NULL,
    label TEXT NOT NULL
);
INSERT INTO topics (slug, label) VALUES
    ('world', 'World'), ('politics', 'Politics'), ('business', 'Business'),
    ('technology', 'Technology'), ('science', 'Science'), ('health', 'Health'),
    ('sports', 'Sports'), ('entertainment', 'Entertainment');

CREATE TABLE article_topics (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    topic      TEXT NOT NULL REFERENCES topics (slug),
    score      REAL NOT NULL DEFAULT 1,
    PRIMARY KEY (article_id, topic)
);
CREATE INDEX article_topics_topic ON article_topics (topic, article_id);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    username       TEXT NOT NULL,
    email          TEXT,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL DEFAULT 'member',
    created_at     INTEGER NOT NULL,
    deleted_at     INTEGER,
    banned_until   INTEGER,
    ban_reason     TEXT,
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   INTEGER,
    last_login_at  INTEGER,
    password_changed_at INTEGER
);
CREATE UNIQUE INDEX users_username ON users (lower(username));

CREATE TABLE sessions (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    data       TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE invitations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code_hash  TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    used_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    used_at    INTEGER
);

CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY NOT NULL,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL
);

CREATE TABLE comments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER REFERENCES articles (id) ON DELETE CASCADE,
    story_id   INTEGER REFERENCES stories (id) ON DELETE CASCADE,
    parent_id  INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    body       TEXT NOT NULL,
    depth      INTEGER NOT NULL DEFAULT 0,
    status     TEXT NOT NULL DEFAULT 'visible',
    score      INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    edited_at  INTEGER,
    deleted_at INTEGER,
    ip_hash    TEXT
);
CREATE INDEX comments_article ON comments (article_id, created_at);
CREATE INDEX comments_story ON comments (story_id, created_at);
CREATE INDEX comments_user ON comments (user_id, created_at);

CREATE TABLE comment_votes (
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    value      INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (comment_id, user_id)
);

CREATE TABLE reports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    comment_id  INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    reporter_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reason      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    resolution  TEXT
);
CREATE INDEX reports_open ON reports (resolved_at, created_at);

CREATE TABLE thread_locks (
    target_kind TEXT NOT NULL,
    target_id   INTEGER NOT NULL,
    locked_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    locked_at   INTEGER NOT NULL,
    reason      TEXT,
    PRIMARY KEY (target_kind, target_id)
);

CREATE TABLE moderation_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    moderator_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action       TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    target_id    INTEGER NOT NULL,
    reason       TEXT,
    details      TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX moderation_log_created ON moderation_log (created_at);

CREATE TABLE ai_results (
    cache_key      TEXT PRIMARY KEY NOT NULL,
    subject_kind   TEXT NOT NULL,
    subject_id     INTEGER NOT NULL,
    feature        TEXT NOT NULL,
    provider       TEXT NOT NULL,
    model          TEXT NOT NULL,
    prompt_version INTEGER NOT NULL,
    language       TEXT,
    result         TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX ai_results_subject ON ai_results (subject_kind, subject_id);

CREATE TABLE media (
    id           TEXT PRIMARY KEY NOT NULL,
    source_url   TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',
    content_type TEXT,
    width        INTEGER,
    height       INTEGER,
    bytes        INTEGER,
    error        TEXT,
    fetched_at   INTEGER,
    created_at   INTEGER NOT NULL
);

CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL DEFAULT '{}',
    idempotency_key TEXT UNIQUE,
    state           TEXT NOT NULL DEFAULT 'queued',
    priority        INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    max_attempts    INTEGER NOT NULL DEFAULT 5,
    run_at          INTEGER NOT NULL,
    claimed_by      TEXT,
    claimed_at      INTEGER,
    lease_until     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    finished_at     INTEGER
);
CREATE INDEX jobs_ready ON jobs (state, run_at);
CREATE INDEX jobs_claimed ON jobs (claimed_by);
