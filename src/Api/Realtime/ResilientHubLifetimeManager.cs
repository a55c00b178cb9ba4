using Microsoft.AspNetCore.SignalR;

namespace Chat.Api.Realtime;

/// <summary>
/// Wraps the Redis backplane so that an unreachable Redis degrades push only. Connection set-up and group
/// membership wait on Redis at most <see cref="BackplaneWait"/> and then go on without it: the session opens,
/// the client sends and syncs from the store, and pushes resume once Redis is back for new sessions.
/// Sends are already best effort (see SignalREnvelopeNotifier) and are passed through.
/// </summary>
public sealed partial class ResilientHubLifetimeManager<THub>(HubLifetimeManager<THub> inner, ILogger<ResilientHubLifetimeManager<THub>> logger)
    : HubLifetimeManager<THub>
    where THub : Hub
{
    private static readonly TimeSpan BackplaneWait = TimeSpan.FromSeconds(2);

    public override Task OnConnectedAsync(HubConnectionContext connection) => BestEffortAsync(inner.OnConnectedAsync(connection), "connect");

    public override Task OnDisconnectedAsync(HubConnectionContext connection) => BestEffortAsync(inner.OnDisconnectedAsync(connection), "disconnect");

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        BestEffortAsync(inner.AddToGroupAsync(connectionId, groupName, cancellationToken), "join group");

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        BestEffortAsync(inner.RemoveFromGroupAsync(connectionId, groupName, cancellationToken), "leave group");

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendAllAsync(methodName, args, cancellationToken);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        inner.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendConnectionAsync(connectionId, methodName, args, cancellationToken);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken);

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendGroupAsync(groupName, methodName, args, cancellationToken);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendGroupsAsync(groupNames, methodName, args, cancellationToken);

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        inner.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendUserAsync(userId, methodName, args, cancellationToken);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendUsersAsync(userIds, methodName, args, cancellationToken);

    public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken) =>
        inner.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken);

    public override Task SetConnectionResultAsync(string connectionId, Microsoft.AspNetCore.SignalR.Protocol.CompletionMessage result) =>
        inner.SetConnectionResultAsync(connectionId, result);

    public override bool TryGetReturnType(string invocationId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? type) =>
        inner.TryGetReturnType(invocationId, out type);

    private async Task BestEffortAsync(Task step, string what)
    {
        try
        {
            await step.WaitAsync(BackplaneWait);
        }
        catch (Exception e)
        {
            LogDegraded(logger, e, what);
        }
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Backplane unavailable during {Step}; the session goes on without push")]
    private static partial void LogDegraded(ILogger logger, Exception exception, string step);
}
