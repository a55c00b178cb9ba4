-- The embedded store: the same schema as migrations/postgres, with times as Unix milliseconds.

CREATE TABLE accounts (
    user_id        TEXT    NOT NULL PRIMARY KEY,
    password_hash  TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE mailboxes (
    user_id   TEXT    NOT NULL PRIMARY KEY REFERENCES accounts (user_id) ON DELETE CASCADE,
    last_seq  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE envelopes (
    user_id     TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    message_id  TEXT    NOT NULL,
    kind        INTEGER NOT NULL,
    sender_id   TEXT    NOT NULL,
    group_id    TEXT    NULL,
    payload     TEXT    NULL,
    sent_at     INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, seq)
) WITHOUT ROWID;

CREATE INDEX envelopes_expires_at ON envelopes (expires_at);

CREATE TABLE message_dedup (
    user_id            TEXT    NOT NULL,
    sender_id          TEXT    NOT NULL,
    client_message_id  TEXT    NOT NULL,
    message_id         TEXT    NOT NULL,
    sent_at            INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    PRIMARY KEY (user_id, sender_id, client_message_id)
) WITHOUT ROWID;

CREATE INDEX message_dedup_expires_at ON message_dedup (expires_at);
