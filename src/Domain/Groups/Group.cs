namespace Chat.Domain.Groups;

public sealed record GroupMember(string UserId, GroupRole Role, DateTimeOffset JoinedAt);

/// <summary>A group and its members, as read inside the transaction that changes it.</summary>
public sealed record Group(string GroupId, string Name, string CreatedBy, DateTimeOffset CreatedAt, IReadOnlyList<GroupMember> Members)
{
    public GroupMember? Find(string userId) => Members.FirstOrDefault(m => string.Equals(m.UserId, userId, StringComparison.Ordinal));

    public bool IsAdmin(string userId) => Find(userId)?.Role == GroupRole.Admin;

    public IReadOnlyList<string> MemberIds => Members.Select(m => m.UserId).ToList();
}

/// <summary>One line of "my groups".</summary>
public sealed record GroupSummary(string GroupId, string Name, GroupRole Role);
