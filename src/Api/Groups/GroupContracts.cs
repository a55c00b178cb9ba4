using Chat.Domain.Groups;

namespace Chat.Api.Groups;

public sealed record CreateGroupRequest(string? Name, IReadOnlyList<string>? Members);

public sealed record AddMembersRequest(IReadOnlyList<string>? UserIds);

public sealed record PromoteRequest(string? UserId);

public sealed record GroupMemberResponse(string UserId, string Role, DateTimeOffset JoinedAt);

public sealed record GroupResponse(string GroupId, string Name, string CreatedBy, DateTimeOffset CreatedAt, IReadOnlyList<GroupMemberResponse> Members)
{
    public static GroupResponse Of(Group group) => new(
        group.GroupId,
        group.Name,
        group.CreatedBy,
        group.CreatedAt,
        group.Members.Select(m => new GroupMemberResponse(m.UserId, RoleName(m.Role), m.JoinedAt)).ToList());

    public static string RoleName(GroupRole role) => role == GroupRole.Admin ? "admin" : "member";
}

public sealed record GroupSummaryResponse(string GroupId, string Name, string Role);

public sealed record MyGroupsResponse(IReadOnlyList<GroupSummaryResponse> Groups);
