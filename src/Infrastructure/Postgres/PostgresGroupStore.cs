using Chat.Domain.Groups;
using Dapper;
using Npgsql;

namespace Chat.Infrastructure.Postgres;

public sealed class PostgresGroupStore(NpgsqlDataSource dataSource) : IGroupStore
{
    public async Task<Group?> GetAsync(string groupId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<GroupRow>(new CommandDefinition(
            GroupRow.LoadSql,
            new { GroupId = groupId },
            cancellationToken: cancellationToken))).AsList();
        return GroupRow.ToGroup(rows);
    }

    public async Task<IReadOnlyList<GroupSummary>> GetGroupsOfAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Two single-shard steps on Citus: my group ids from user_groups, then each group's row and my role.
        var ids = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT group_id FROM user_groups WHERE user_id = @UserId", new { UserId = userId }, cancellationToken: cancellationToken))).ToArray();
        if (ids.Length == 0)
        {
            return [];
        }

        var rows = await connection.QueryAsync<(string GroupId, string Name, short Role)>(new CommandDefinition(
            """
            SELECT g.group_id, g.name, m.role FROM groups g JOIN group_members m ON m.group_id = g.group_id
            WHERE g.group_id = ANY(@Ids) AND m.user_id = @UserId ORDER BY g.name, g.group_id
            """,
            new { Ids = ids, UserId = userId },
            cancellationToken: cancellationToken));
        return rows.Select(r => new GroupSummary(r.GroupId, r.Name, (GroupRole)r.Role)).ToList();
    }

    public async Task<IReadOnlyList<string>?> GetMemberIdsAsync(string groupId, CancellationToken cancellationToken) =>
        (await GetAsync(groupId, cancellationToken))?.MemberIds;
}
