using Chat.Domain.Presence;

namespace Chat.Api.Presence;

/// <summary>Publishes queued presence changes: one reader per lane, so each user's changes go out in order.</summary>
public sealed partial class PresenceFanout(PresenceQueue queue, PresenceService presence, ILogger<PresenceFanout> logger) : BackgroundService
{
    /// <summary>
    /// The server stops before this service (it was registered last), so the offline changes of the connections
    /// it closed are queued by now: publish them, within the host's shutdown timeout, before stopping.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        try
        {
            await (ExecuteTask ?? Task.CompletedTask).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown timeout: whatever is still queued is dropped, as under overload.
        }

        await base.StopAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, queue.Lanes).Select(lane => RunLaneAsync(lane, stoppingToken)));

    private async Task RunLaneAsync(int lane, CancellationToken stoppingToken)
    {
        // Leave the host's start-up path at once: every lane runs on the thread pool.
        await Task.Yield();
        try
        {
            await foreach (var change in queue.Reader(lane).ReadAllAsync(stoppingToken))
            {
                try
                {
                    await presence.PublishAsync(change, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Presence is best effort: watchers catch up with GetPresence.
                    LogPublishFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 610, Level = LogLevel.Warning, Message = "Publishing a presence change failed")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);
}
