namespace Chat.Domain.Messaging;

/// <summary>
/// The durable mailboxes: the truth of what is pending. Writes happen inside a
/// <see cref="IMailboxTransaction"/> so a worker can commit several requests at once (group commit).
/// </summary>
public interface IMailboxStore
{
    Task<IMailboxTransaction> BeginAsync(CancellationToken cancellationToken);

    /// <summary>Envelopes of one device's mailbox after <paramref name="afterSeq"/>, in seq order, unexpired at <paramref name="now"/>.</summary>
    Task<PendingPage> FetchPendingAsync(string userId, int deviceId, long afterSeq, int limit, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes at most <paramref name="batchSize"/> envelopes, dedup records and queued receipts each that expired before <paramref name="now"/>.</summary>
    Task<int> SweepExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken);

    /// <summary>Receipts queued before <paramref name="queuedBefore"/> and still in the outbox: their delivery failed or was cut short.</summary>
    Task<IReadOnlyList<PendingReceipt>> GetStaleReceiptsAsync(DateTimeOffset queuedBefore, DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>How many unexpired envelopes one device's mailbox holds (what a wake-up reports).</summary>
    Task<long> CountPendingAsync(string userId, int deviceId, DateTimeOffset now, CancellationToken cancellationToken);

    Task<MailboxStats> GetStatsAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken);

    Task PingAsync(CancellationToken cancellationToken);
}

public sealed record MailboxStats(bool Exists, long PendingCount, DateTimeOffset? OldestPendingAt, long LastSeq);
