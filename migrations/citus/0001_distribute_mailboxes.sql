-- Applied only when the citus extension is installed (the migration runner checks pg_extension).
-- All user-keyed tables are hash-distributed on user_id and colocated with accounts, so one user's
-- account, mailbox, envelopes and send-dedup records share a shard: a send is a single-shard transaction.
SELECT create_distributed_table('accounts', 'user_id');
SELECT create_distributed_table('mailboxes', 'user_id', colocate_with => 'accounts');
SELECT create_distributed_table('envelopes', 'user_id', colocate_with => 'accounts');
SELECT create_distributed_table('message_dedup', 'user_id', colocate_with => 'accounts');
