-- groups and group_members are keyed by group: "members of G" is one shard.
-- user_groups is keyed by member and colocated with the member's mailbox: "groups of U" is one shard.
SELECT create_distributed_table('groups', 'group_id');
SELECT create_distributed_table('group_members', 'group_id', colocate_with => 'groups');
SELECT create_distributed_table('user_groups', 'user_id', colocate_with => 'accounts');
