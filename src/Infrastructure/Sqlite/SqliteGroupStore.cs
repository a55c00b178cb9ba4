using Chat.Domain.Groups;
using Dapper;

namespace Chat.Infrastructure.Sqlite;

public sealed class SqliteGroupStore(SqliteConnectionFactory connections) : IGroupStore
{
    public async Task<Group?> GetAsync(string groupId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<SqliteGroupRow>(new CommandDefinition(
            SqliteGroupRow.LoadSql, new { GroupId = groupId }, cancellationToken: cancellationToken))).AsList();
        return SqliteGroupRow.ToGroup(rows);
    }

    public async Task<IReadOnlyList<GroupSummary>> GetGroupsOfAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string GroupId, string Name, long Role)>(new CommandDefinition(
            """
            SELECT g.group_id, g.name, m.role FROM user_groups u
            JOIN groups g ON g.group_id = u.group_id
            JOIN group_members m ON m.group_id = g.group_id AND m.user_id = u.user_id
            WHERE u.user_id = @UserId ORDER BY g.name, g.group_id
            """,
            new { UserId = userId },
            cancellationToken: cancellationToken));
        return rows.Select(r => new GroupSummary(r.GroupId, r.Name, (GroupRole)r.Role)).ToList();
    }

    public async Task<IReadOnlyList<string>?> GetMemberIdsAsync(string groupId, CancellationToken cancellationToken) =>
        (await GetAsync(groupId, cancellationToken))?.MemberIds;
}
