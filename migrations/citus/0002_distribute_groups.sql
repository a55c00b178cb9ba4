-- groups and group_members are keyed by group: "members of G" is one shard.
-- user_groups is keyed by member and colocated with the member's mailbox: "groups of U" is one shard.
SELECT create_distributed_table('groups', 'group_id')
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'groups'::regclass);
SELECT create_distributed_table('group_members', 'group_id', colocate_with => 'groups')
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'group_members'::regclass);
SELECT create_distributed_table('user_groups', 'user_id', colocate_with => 'accounts')
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'user_groups'::regclass);
