using Chat.Domain.Errors;

namespace Chat.Domain.Messaging;

/// <summary>
/// A write queued on the worker of the key it changes (a recipient, a group) and applied inside a batch
/// transaction. An expected failure is returned as <see cref="MailboxResult.Error"/>, never thrown, so it
/// cannot fail the other requests of the batch; an operation checks before it writes.
/// </summary>
public abstract record MailboxOperation
{
    /// <summary>
    /// The mailbox (user id) or group ("g:" + id) this operation writes and locks. A batch applies its operations
    /// in key order, so every transaction takes its row locks in one global order and two never deadlock.
    /// </summary>
    public abstract string Key { get; }

    /// <summary>
    /// Whether the operation also locks other keys' mailboxes (a group's fan-out locks every member's). Such an
    /// operation gets a transaction of its own on a pipelined store, so no transaction takes two sorted passes of locks.
    /// </summary>
    public virtual bool LocksManyMailboxes => false;

    public abstract Task<MailboxResult> ApplyAsync(IMailboxTransaction transaction, CancellationToken cancellationToken);
}

/// <summary>What one operation produced: a value for its caller, and envelopes to push once the batch is committed.</summary>
public sealed record MailboxResult(object? Value, IReadOnlyList<AddressedEnvelope> Push, ChatException? Error = null)
{
    public static MailboxResult Failed(ChatException error) => new(null, [], error);

    /// <summary>The value, or the operation's expected failure thrown for the caller.</summary>
    public T Get<T>() => Error is not null ? throw Error : (T)Value!;
}

public sealed record SendOperation(SendCommand Command) : MailboxOperation
{
    public override string Key => Command.RecipientId;

    public override async Task<MailboxResult> ApplyAsync(IMailboxTransaction transaction, CancellationToken cancellationToken) =>
        ResultOf(await transaction.AppendMessageAsync(Command, cancellationToken));

    public MailboxResult ResultOf(SendOutcome outcome) =>
        outcome switch
        {
            { Status: SendStatus.UnknownRecipient } => MailboxResult.Failed(ChatException.NotFound($"no user '{Command.RecipientId}'.")),
            { Status: SendStatus.Stored } => new(outcome, outcome.Stored),
            _ => new(outcome, []),
        };
}

/// <summary>Acknowledges one device's envelopes; runs on the user's worker (all devices of a user share it).</summary>
public sealed record AckOperation(string UserId, int DeviceId, long UpToSeq, DateTimeOffset Now, DateTimeOffset ReceiptExpiresAt) : MailboxOperation
{
    public override string Key => UserId;

    public override async Task<MailboxResult> ApplyAsync(IMailboxTransaction transaction, CancellationToken cancellationToken) =>
        ResultOf(await transaction.AckAsync(UserId, DeviceId, UpToSeq, Now, ReceiptExpiresAt, cancellationToken));

    public static MailboxResult ResultOf(AckOutcome outcome) => new(outcome, outcome.Stored);
}

/// <summary>Moves one reader's queued receipts into a sender's mailbox; runs on the sender's worker.</summary>
public sealed record DeliverReceiptsOperation(string SenderId, string ReaderId, EnvelopeKind Kind, IReadOnlyList<Guid> MessageIds, DateTimeOffset Now, DateTimeOffset ExpiresAt)
    : MailboxOperation
{
    public override string Key => SenderId;

    public override async Task<MailboxResult> ApplyAsync(IMailboxTransaction transaction, CancellationToken cancellationToken) =>
        ResultOf(await transaction.DeliverReceiptsAsync(SenderId, ReaderId, Kind, MessageIds, Now, ExpiresAt, cancellationToken));

    public static MailboxResult ResultOf(IReadOnlyList<AddressedEnvelope> stored) => new(stored.Count, stored);
}

/// <summary>Stores a copy of what the account did on one device in its other devices' mailboxes; runs on the user's worker.</summary>
public sealed record StoreCopyOperation(string UserId, int ExceptDeviceId, EnvelopeDraft Draft) : MailboxOperation
{
    public override string Key => UserId;

    public override async Task<MailboxResult> ApplyAsync(IMailboxTransaction transaction, CancellationToken cancellationToken)
    {
        var stored = await transaction.StoreCopyAsync(UserId, ExceptDeviceId, Draft, cancellationToken);
        return new(stored.Count, stored);
    }
}
