-- Applied only when the citus extension is installed (the migration runner checks pg_extension).
-- Every statement skips a table that is already distributed, so a script run twice (by hand, or again after
-- a run that stopped half way) changes nothing.
-- All user-keyed tables are hash-distributed on user_id and colocated with accounts, so one user's
-- account, mailbox, envelopes and send-dedup records share a shard: a send is a single-shard transaction.
SELECT create_distributed_table('accounts', 'user_id')
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'accounts'::regclass);
SELECT create_distributed_table('mailboxes', 'user_id', colocate_with => 'accounts')
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'mailboxes'::regclass);
SELECT create_distributed_table('envelopes', 'user_id', colocate_with => 'accounts')
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'envelopes'::regclass);
SELECT create_distributed_table('message_dedup', 'user_id', colocate_with => 'accounts')
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'message_dedup'::regclass);
