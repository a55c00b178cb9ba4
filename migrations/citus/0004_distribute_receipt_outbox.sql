-- The outbox lives in the reader's shard, beside the envelopes the ack deletes.
SELECT create_distributed_table('receipt_outbox', 'user_id', colocate_with => 'accounts')
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'receipt_outbox'::regclass);
