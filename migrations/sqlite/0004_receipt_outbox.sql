CREATE TABLE receipt_outbox (
    user_id     TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    kind        INTEGER NOT NULL,
    sender_id   TEXT    NOT NULL,
    group_id    TEXT    NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, message_id, kind)
) WITHOUT ROWID;

CREATE INDEX receipt_outbox_created_at ON receipt_outbox (created_at);
