using Chat.Api.Accounts;
using Chat.Api.Auth;
using Chat.Api.Node;
using Chat.Domain.Errors;
using Chat.Domain.Identity;
using Chat.Domain.Messaging;
using Chat.Domain.Overload;
using Chat.Domain.Workers;
using Chat.Infrastructure.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Api.Admin;

/// <summary>Operator endpoints under /admin: backlog, node samples, the login gate and per-user mailbox state.</summary>
public static class AdminApi
{
    private const int TopQueues = 10;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").WithTags("Admin").RequireAuthorization(ChatClaims.AdminPolicy);
        admin.MapGet("/backlog", GetBacklog).WithName("GetBacklog");
        admin.MapGet("/node", GetNode).WithName("GetNode");
        admin.MapGet("/nodes", GetNodesAsync).WithName("GetNodes");
        admin.MapGet("/gate", GetGate).WithName("GetGate");
        admin.MapPost("/gate", SetGate).WithName("SetGate");
        admin.MapGet("/users/{userId}", GetUserAsync).WithName("GetUser");
        return app;
    }

    public static Ok<BacklogResponse> GetBacklog(WorkerPoolMetrics pools, LoginGate gate, TimeProvider time)
    {
        var snapshots = pools.Pools.Select(p => p.Snapshot()).ToList();
        var backlog = snapshots.Select(s => new PoolBacklog(
            s,
            s.QueueLengths.Select((length, worker) => new QueueLength(worker, length))
                .Where(q => q.Length > 0)
                .OrderByDescending(q => q.Length)
                .Take(TopQueues)
                .ToList())).ToList();
        return TypedResults.Ok(new BacklogResponse(time.GetUtcNow(), snapshots.Sum(s => (long)s.TotalQueued), gate.IsOpen, backlog));
    }

    public static Ok<NodeResponse> GetNode(NodeSampler sampler, LoginGate gate, StorageKind store) =>
        TypedResults.Ok(new NodeResponse(Environment.MachineName, Environment.ProcessId, store.Name, gate.State, sampler.History()));

    /// <summary>Every live node sharing this node's Redis, this node first-hand; only this node without Redis.</summary>
    public static async Task<Ok<NodesResponse>> GetNodesAsync(INodeBoard board, NodeBoardPublisher publisher, NodeIdentity identity, CancellationToken cancellationToken)
    {
        var kind = board.Kind;
        List<NodeStatus> nodes;
        try
        {
            nodes = [.. (await board.ReadAsync(cancellationToken)).Where(n => n.NodeId != identity.Id)];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            (nodes, kind) = ([], "unavailable"); // Redis is down: this node can still speak for itself
        }

        if (publisher.Current() is { } self)
        {
            nodes.Add(self with { Self = true });
        }

        return TypedResults.Ok(new NodesResponse(
            kind,
            [.. nodes.OrderBy(n => n.Host, StringComparer.Ordinal).ThenBy(n => n.ProcessId).ThenBy(n => n.NodeId, StringComparer.Ordinal)]));
    }

    public static Ok<LoginGateState> GetGate(LoginGate gate) => TypedResults.Ok(gate.State);

    /// <summary>{"open": false} closes the gate, {"open": true} forces it open, {"open": null} returns it to the backlog rule.</summary>
    public static Ok<LoginGateState> SetGate(GateRequest request, LoginGate gate)
    {
        gate.Force(request.Open);
        return TypedResults.Ok(gate.State);
    }

    public static async Task<Results<Ok<UserStatsResponse>, ProblemHttpResult>> GetUserAsync(
        string userId, IMailboxStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!UserId.IsValid(userId))
        {
            return ApiProblems.Invalid($"user id must match {UserId.Pattern}.");
        }

        var now = time.GetUtcNow();
        var stats = await store.GetStatsAsync(userId, now, cancellationToken);
        return stats.Exists
            ? TypedResults.Ok(new UserStatsResponse(userId, stats.PendingCount, stats.OldestPendingAt, (now - stats.OldestPendingAt)?.TotalSeconds, stats.LastSeq))
            : ApiProblems.Of(ChatErrorCode.NotFound, StatusCodes.Status404NotFound, $"no user '{userId}'.");
    }
}

/// <summary>Board: "redis" (every node sharing it), "local" (no Redis: this node), "unavailable" (Redis failed: this node).</summary>
public sealed record NodesResponse(string Board, IReadOnlyList<NodeStatus> Nodes);

public sealed record NodeResponse(string Host, int ProcessId, string Store, LoginGateState Gate, IReadOnlyList<NodeSample> Samples);
