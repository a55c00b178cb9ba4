using Chat.Domain.Presence;

namespace Chat.Api.Presence;

/// <summary>
/// Keeps this node's presence registration alive and removes the connections of nodes that died, each on
/// its own loop so that a long reap never delays the heartbeat. Runs only with Redis (several nodes).
/// </summary>
public sealed partial class PresenceHeartbeat(
    IPresenceRegistry registry,
    PresenceService presence,
    PresenceQueue queue,
    PresenceOptions options,
    TimeProvider time,
    ILogger<PresenceHeartbeat> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Register before the server takes connections, so no connection is filed under an unknown node.
        await BeatAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(HeartbeatLoopAsync(stoppingToken), ReaperLoopAsync(stoppingToken));

    private async Task HeartbeatLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval, time);
        while (await WaitAsync(timer, stoppingToken))
        {
            await BeatAsync(stoppingToken);
        }
    }

    private async Task ReaperLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval, time);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                // Published here rather than queued: a dead node may leave more changes than a queue holds.
                foreach (var change in await registry.ReapAsync(stoppingToken))
                {
                    await PublishAsync(change, stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogReapFailed(logger, e);
            }
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var change in await registry.HeartbeatAsync(cancellationToken))
            {
                queue.Post(change);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogHeartbeatFailed(logger, e);
        }
    }

    private async Task PublishAsync(PresenceChange change, CancellationToken cancellationToken)
    {
        try
        {
            await presence.PublishAsync(change, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPublishFailed(logger, e);
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 620, Level = LogLevel.Warning, Message = "Presence heartbeat failed; will retry")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 621, Level = LogLevel.Warning, Message = "Reaping dead presence nodes failed; will retry")]
    private static partial void LogReapFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 622, Level = LogLevel.Warning, Message = "Publishing the offline change of a reaped user failed")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);
}
