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
            "SELECT group_id, name, role FROM user_groups WHERE user_id = @UserId ORDER BY name, group_id",
            new { UserId = userId },
            cancellationToken: cancellationToken));
        return rows.Select(r => new GroupSummary(r.GroupId, r.Name, (GroupRole)r.Role)).ToList();
    }

    public async Task<IReadOnlyList<string>?> GetMemberIdsAsync(string groupId, CancellationToken cancellationToken) =>
        (await GetAsync(groupId, cancellationToken))?.MemberIds;
}
