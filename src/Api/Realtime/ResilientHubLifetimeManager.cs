using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Api.Realtime;

/// <summary>
/// Wraps the Redis backplane so that an unreachable Redis degrades push only. Connection set-up and group
/// membership wait on Redis at most <see cref="BackplaneWait"/> and then go on without it: the session opens
/// and the client sends and syncs from the store. Such a degraded session gets no pushes, so it is closed
/// after <paramref name="degradedSessionLifetime"/>; the client reconnects and, once Redis is back, has push
/// again. Sends are already best effort (see SignalREnvelopeNotifier) and are passed through.
/// </summary>
public sealed partial class ResilientHubLifetimeManager<THub>(
    HubLifetimeManager<THub> inner,
    TimeSpan degradedSessionLifetime,
    TimeProvider timeProvider,
    ILogger<ResilientHubLifetimeManager<THub>> logger)
    : HubLifetimeManager<THub>
    where THub : Hub
{
    private static readonly TimeSpan BackplaneWait = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, HubConnectionContext> _local = new(StringComparer.Ordinal);

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        _local[connection.ConnectionId] = connection;
        if (!await BestEffortAsync(inner.OnConnectedAsync(connection), "connect"))
        {
            CloseLater(connection.ConnectionId);
        }
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _local.TryRemove(connection.ConnectionId, out _);
        await BestEffortAsync(inner.OnDisconnectedAsync(connection), "disconnect");
    }

    public override async Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (!await BestEffortAsync(inner.AddToGroupAsync(connectionId, groupName, cancellationToken), "join group"))
        {
            CloseLater(connectionId);
        }
    }

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

    private async Task<bool> BestEffortAsync(Task step, string what)
    {
        try
        {
            await step.WaitAsync(BackplaneWait);
            return true;
        }
        catch (Exception e)
        {
            LogDegraded(logger, e, what);
            return false;
        }
    }

    private void CloseLater(string connectionId)
    {
        // Jitter spreads the reconnects of everyone who connected during the same outage.
        var delay = degradedSessionLifetime * (1 + (Random.Shared.NextDouble() * 0.2));
        _ = Task.Delay(delay, timeProvider).ContinueWith(
            _ =>
            {
                if (_local.TryGetValue(connectionId, out var connection))
                {
                    LogClosingDegraded(logger, connectionId);
                    connection.Abort();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "Closing session {ConnectionId} that opened without the backplane, so it reconnects with push")]
    private static partial void LogClosingDegraded(ILogger logger, string connectionId);

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Backplane unavailable during {Step}; the session goes on without push")]
    private static partial void LogDegraded(ILogger logger, Exception exception, string step);
}
