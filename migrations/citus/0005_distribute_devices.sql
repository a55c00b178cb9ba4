-- Devices live in their user's shard, beside the user's mailboxes.
SELECT create_distributed_table('devices', 'user_id', colocate_with => 'accounts')
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'devices'::regclass);
