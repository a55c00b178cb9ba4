using Chat.Domain.Messaging;

namespace Chat.Api.Messaging;

/// <summary>
/// Deletes expired envelopes in bounded batches, so a large backlog never becomes one long transaction, and
/// retries receipts left in the outbox.
/// </summary>
public sealed partial class ExpirySweeper(IMailboxStore store, MailboxService mailboxes, MessagingOptions options, TimeProvider time, ILogger<ExpirySweeper> logger) : BackgroundService
{
    private static readonly TimeSpan StaleReceiptAge = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval, time);
        do
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
                // Receipts whose delivery failed (a crash, an outage) are still queued: retry them.
                await mailboxes.RedeliverStaleReceiptsAsync(StaleReceiptAge, options.SweepBatchSize, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Sweeps until a batch comes back short; returns how many rows were deleted.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await store.SweepExpiredAsync(time.GetUtcNow(), options.SweepBatchSize, cancellationToken);
            total += deleted;
        }
        while (deleted >= options.SweepBatchSize && !cancellationToken.IsCancellationRequested);

        if (total > 0)
        {
            LogSwept(logger, total);
        }

        return total;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Expiry sweep deleted {Count} rows")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Expiry sweep failed; will retry")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
