using System.Security.Claims;
using Chat.Api.Auth;
using Chat.Api.Hosting;
using Chat.Domain.Errors;
using Chat.Domain.Groups;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Api.Groups;

/// <summary>Group management under /api/groups. Every change is also announced to the members as a group_event envelope.</summary>
public static class GroupsApi
{
    public static IEndpointRouteBuilder MapGroupsApi(this IEndpointRouteBuilder app)
    {
        var groups = app.MapGroup("/api/groups").WithTags("Groups").RequireAuthorization();
        groups.MapPost("/", CreateAsync).WithName("CreateGroup");
        groups.MapGet("/", ListMineAsync).WithName("ListMyGroups");
        groups.MapGet("/{groupId}", GetAsync).WithName("GetGroup");
        groups.MapPost("/{groupId}/members", AddMembersAsync).WithName("AddGroupMembers");
        groups.MapDelete("/{groupId}/members/{userId}", RemoveMemberAsync).WithName("RemoveGroupMember");
        groups.MapPost("/{groupId}/admins", PromoteAsync).WithName("PromoteGroupAdmin");
        groups.MapPost("/{groupId}/leave", LeaveAsync).WithName("LeaveGroup");
        return app;
    }

    public static Task<Results<Created<GroupResponse>, ProblemHttpResult>> CreateAsync(
        CreateGroupRequest request, ClaimsPrincipal user, GroupService groups, CancellationToken cancellationToken) =>
        ChatExceptionResults.RunAsync(async () =>
        {
            var group = await groups.CreateAsync(user.UserId(), request.Name, request.Members, cancellationToken);
            return TypedResults.Created($"/api/groups/{group.GroupId}", GroupResponse.Of(group));
        });

    public static async Task<Ok<MyGroupsResponse>> ListMineAsync(ClaimsPrincipal user, GroupService groups, CancellationToken cancellationToken)
    {
        var mine = await groups.GetGroupsOfAsync(user.UserId(), cancellationToken);
        return TypedResults.Ok(new MyGroupsResponse(mine.Select(g => new GroupSummaryResponse(g.GroupId, g.Name, GroupResponse.RoleName(g.Role))).ToList()));
    }

    public static Task<Results<Ok<GroupResponse>, ProblemHttpResult>> GetAsync(string groupId, ClaimsPrincipal user, GroupService groups, CancellationToken cancellationToken) =>
        Ok(() => groups.GetAsync(user.UserId(), groupId, cancellationToken));

    public static Task<Results<Ok<GroupResponse>, ProblemHttpResult>> AddMembersAsync(
        string groupId, AddMembersRequest request, ClaimsPrincipal user, GroupService groups, CancellationToken cancellationToken) =>
        Ok(() => groups.AddMembersAsync(user.UserId(), groupId, request.UserIds, cancellationToken));

    public static Task<Results<Ok<GroupResponse>, ProblemHttpResult>> RemoveMemberAsync(
        string groupId, string userId, ClaimsPrincipal user, GroupService groups, CancellationToken cancellationToken) =>
        Ok(() => groups.RemoveMemberAsync(user.UserId(), groupId, userId, cancellationToken));

    public static Task<Results<Ok<GroupResponse>, ProblemHttpResult>> PromoteAsync(
        string groupId, PromoteRequest request, ClaimsPrincipal user, GroupService groups, CancellationToken cancellationToken) =>
        Ok(() => groups.PromoteAsync(user.UserId(), groupId, request.UserId, cancellationToken));

    public static Task<Results<Ok<GroupResponse>, ProblemHttpResult>> LeaveAsync(string groupId, ClaimsPrincipal user, GroupService groups, CancellationToken cancellationToken) =>
        Ok(() => groups.RemoveMemberAsync(user.UserId(), groupId, user.UserId(), cancellationToken));


    private static Task<Results<Ok<GroupResponse>, ProblemHttpResult>> Ok(Func<Task<Group>> action) =>
        ChatExceptionResults.RunAsync(async () => TypedResults.Ok(GroupResponse.Of(await action())));
}
