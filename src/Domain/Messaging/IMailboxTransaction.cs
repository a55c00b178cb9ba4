namespace Chat.Domain.Messaging;

/// <summary>One database transaction over mailboxes. Nothing is visible or durable before <see cref="CommitAsync"/>.</summary>
public interface IMailboxTransaction : IAsyncDisposable
{
    Task<SendOutcome> AppendMessageAsync(SendCommand command, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the envelopes of <paramref name="userId"/> with seq &lt;= <paramref name="upToSeq"/> and stores a
    /// <see cref="EnvelopeKind.Delivered"/> receipt for the sender of each removed message.
    /// </summary>
    Task<AckOutcome> AckAsync(string userId, long upToSeq, DateTimeOffset now, DateTimeOffset receiptExpiresAt, CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);
}
