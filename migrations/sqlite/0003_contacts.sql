-- Address book and presence settings: the same schema as migrations/postgres/0003, times in Unix milliseconds.

CREATE TABLE contacts (
    user_id     TEXT NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
    contact_id  TEXT NOT NULL,
    PRIMARY KEY (user_id, contact_id)
) WITHOUT ROWID;

CREATE TABLE contact_of (
    user_id   TEXT NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
    owner_id  TEXT NOT NULL,
    PRIMARY KEY (user_id, owner_id)
) WITHOUT ROWID;

CREATE TABLE user_settings (
    user_id            TEXT    NOT NULL PRIMARY KEY REFERENCES accounts (user_id) ON DELETE CASCADE,
    last_seen_privacy  INTEGER NOT NULL DEFAULT 0,
    last_seen_at       INTEGER NULL
) WITHOUT ROWID;
