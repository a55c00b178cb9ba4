-- contacts lives in the owner's shard, contact_of in the contact's shard, user_settings in the user's:
-- all on user_id and colocated with accounts, so the foreign keys to accounts stay shard-local.
SELECT create_distributed_table('contacts', 'user_id', colocate_with => 'accounts')
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'contacts'::regclass);
SELECT create_distributed_table('contact_of', 'user_id', colocate_with => 'accounts')
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'contact_of'::regclass);
SELECT create_distributed_table('user_settings', 'user_id', colocate_with => 'accounts')
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'user_settings'::regclass);
