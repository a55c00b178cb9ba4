using Chat.Domain.Devices;

namespace Chat.Api.Devices;

/// <summary>Unlinks linked devices that have not connected for Devices:InactiveAfter, every Devices:SweepInterval.</summary>
public sealed partial class InactiveDeviceSweeper(DeviceService devices, DevicesOptions options, TimeProvider time, ILogger<InactiveDeviceSweeper> logger) : BackgroundService
{
    private const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(logger, e);
            }
        }
    }

    /// <summary>Handles inactive devices in batches until none is left; returns how many it found.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        int found;
        do
        {
            found = await devices.UnlinkInactiveAsync(BatchSize, cancellationToken);
            total += found;
        }
        while (found >= BatchSize && !cancellationToken.IsCancellationRequested);

        if (total > 0)
        {
            LogUnlinked(logger, total);
        }

        return total;
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Found {Count} inactive devices; unlinked those without a live session")]
    private static partial void LogUnlinked(ILogger logger, int count);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "Inactive device sweep failed; will retry")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
