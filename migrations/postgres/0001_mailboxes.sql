-- Accounts, mailboxes and pending envelopes. Every table is keyed by user_id, the Citus distribution
-- column (see migrations/citus/), and every primary key and unique constraint includes it.

CREATE TABLE accounts (
    user_id        text        NOT NULL PRIMARY KEY,
    password_hash  text        NOT NULL,
    created_at     timestamptz NOT NULL
);

-- One row per user; last_seq is the last sequence number handed out, advanced with UPDATE ... RETURNING.
CREATE TABLE mailboxes (
    user_id   text   NOT NULL PRIMARY KEY REFERENCES accounts (user_id) ON DELETE CASCADE,
    last_seq  bigint NOT NULL DEFAULT 0
);

-- Pending envelopes, kept only until acknowledged or expired.
CREATE TABLE envelopes (
    user_id     text        NOT NULL,
    seq         bigint      NOT NULL,
    message_id  uuid        NOT NULL,
    kind        smallint    NOT NULL,
    sender_id   text        NOT NULL,
    group_id    text        NULL,
    payload     text        NULL,
    sent_at     timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (user_id, seq)
);

CREATE INDEX envelopes_expires_at ON envelopes (expires_at);

-- Idempotency of sends, kept in the recipient's shard so a send stays a single-shard transaction.
CREATE TABLE message_dedup (
    user_id            text        NOT NULL,
    sender_id          text        NOT NULL,
    client_message_id  text        NOT NULL,
    message_id         uuid        NOT NULL,
    sent_at            timestamptz NOT NULL,
    expires_at         timestamptz NOT NULL,
    PRIMARY KEY (user_id, sender_id, client_message_id)
);

CREATE INDEX message_dedup_expires_at ON message_dedup (expires_at);
