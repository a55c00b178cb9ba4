using Chat.Domain.Devices;
using Chat.Domain.Presence;

namespace Chat.Api.Devices;

/// <summary>
/// Keeps this node's registration in the device-session registry alive and reaps dead nodes' sessions, like
/// PresenceHeartbeat does for user presence; there is nothing to announce, so the changes are dropped.
/// </summary>
public sealed partial class DevicePresenceHeartbeat(DevicePresence presence, PresenceOptions options, TimeProvider time, ILogger<DevicePresenceHeartbeat> logger)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await BeatAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await BeatAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        try
        {
            await presence.Registry.HeartbeatAsync(cancellationToken);
            await presence.Registry.ReapAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogBeatFailed(logger, e);
        }
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Warning, Message = "Device session heartbeat failed; will retry")]
    private static partial void LogBeatFailed(ILogger logger, Exception exception);
}
