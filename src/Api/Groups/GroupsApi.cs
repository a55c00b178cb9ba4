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
        Run(async () =>
        {
            var group = await groups.CreateAsync(Me(user), request.Name, request.Members, cancellationToken);
            return (Results<Created<GroupResponse>, ProblemHttpResult>)TypedResults.Created($"/api/groups/{group.GroupId}", GroupResponse.Of(group));
        });

    public static async Task<Ok<MyGroupsResponse>> ListMineAsync(ClaimsPrincipal user, GroupService groups, CancellationToken cancellationToken)
    {
        var mine = await groups.GetGroupsOfAsync(Me(user), cancellationToken);
        return TypedResults.Ok(new MyGroupsResponse(mine.Select(g => new GroupSummaryResponse(g.GroupId, g.Name, GroupResponse.RoleName(g.Role))).ToList()));
    }

    public static Task<Results<Ok<GroupResponse>, ProblemHttpResult>> GetAsync(string groupId, ClaimsPrincipal user, GroupService groups, CancellationToken cancellationToken) =>
        Ok(() => groups.GetAsync(Me(user), groupId, cancellationToken));

    public static Task<Results<Ok<GroupResponse>, ProblemHttpResult>> AddMembersAsync(
        string groupId, AddMembersRequest request, ClaimsPrincipal user, GroupService groups, CancellationToken cancellationToken) =>
        Ok(() => groups.AddMembersAsync(Me(user), groupId, request.UserIds, cancellationToken));

    public static Task<Results<Ok<GroupResponse>, ProblemHttpResult>> RemoveMemberAsync(
        string groupId, string userId, ClaimsPrincipal user, GroupService groups, CancellationToken cancellationToken) =>
        Ok(() => groups.RemoveMemberAsync(Me(user), groupId, userId, cancellationToken));

    public static Task<Results<Ok<GroupResponse>, ProblemHttpResult>> PromoteAsync(
        string groupId, PromoteRequest request, ClaimsPrincipal user, GroupService groups, CancellationToken cancellationToken) =>
        Ok(() => groups.PromoteAsync(Me(user), groupId, request.UserId, cancellationToken));

    public static Task<Results<Ok<GroupResponse>, ProblemHttpResult>> LeaveAsync(string groupId, ClaimsPrincipal user, GroupService groups, CancellationToken cancellationToken) =>
        Ok(() => groups.RemoveMemberAsync(Me(user), groupId, Me(user), cancellationToken));

    private static string Me(ClaimsPrincipal user) => user.FindFirstValue(ChatClaims.Subject) ?? throw ChatException.Forbidden("no user in the token.");

    private static Task<Results<Ok<GroupResponse>, ProblemHttpResult>> Ok(Func<Task<Group>> action) =>
        Run(async () => (Results<Ok<GroupResponse>, ProblemHttpResult>)TypedResults.Ok(GroupResponse.Of(await action())));

    private static async Task<Results<T, ProblemHttpResult>> Run<T>(Func<Task<Results<T, ProblemHttpResult>>> action)
        where T : IResult
    {
        try
        {
            return await action();
        }
        catch (ChatException e) when (e.IsClientError())
        {
            return e.ToProblem();
        }
    }
}
