using Chat.Domain.Groups;

namespace Chat.Infrastructure.Sqlite;

internal sealed record SqliteGroupRow(string GroupId, string Name, string CreatedBy, long CreatedAt, string? UserId, long? Role, long? JoinedAt)
{
    public const string LoadSql = """
        SELECT g.group_id AS GroupId, g.name AS Name, g.created_by AS CreatedBy, g.created_at AS CreatedAt,
               m.user_id AS UserId, m.role AS Role, m.joined_at AS JoinedAt
        FROM groups g LEFT JOIN group_members m ON m.group_id = g.group_id
        WHERE g.group_id = @GroupId
        ORDER BY m.joined_at, m.user_id
        """;

    public static Group? ToGroup(IReadOnlyList<SqliteGroupRow> rows)
    {
        if (rows.Count == 0)
        {
            return null;
        }

        var first = rows[0];
        var members = rows.Where(r => r.UserId is not null)
            .Select(r => new GroupMember(r.UserId!, (GroupRole)r.Role!.Value, UnixTime.FromMs(r.JoinedAt!.Value)))
            .ToList();
        return new Group(first.GroupId, first.Name, first.CreatedBy, UnixTime.FromMs(first.CreatedAt), members);
    }
}
