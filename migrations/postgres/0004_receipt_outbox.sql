-- Receipts waiting to be stored in their sender's mailbox. An ack (or a read mark) writes them here, in the
-- reader's shard and the same transaction as the ack, so a transaction never locks another user's mailbox;
-- the sender's own worker then moves them into the sender's mailbox and deletes them here, in one transaction.
CREATE TABLE receipt_outbox (
    user_id     text        NOT NULL, -- the reader: who acknowledged or read the message
    message_id  uuid        NOT NULL,
    kind        smallint    NOT NULL, -- 1 delivered, 2 read
    sender_id   text        NOT NULL,
    group_id    text        NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (user_id, message_id, kind)
);

CREATE INDEX receipt_outbox_created_at ON receipt_outbox (created_at);
