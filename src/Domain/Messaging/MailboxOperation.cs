namespace Chat.Domain.Messaging;

/// <summary>A write on one mailbox, queued on that mailbox's worker and applied inside a batch transaction.</summary>
public abstract record MailboxOperation
{
    public abstract Task<MailboxResult> ApplyAsync(IMailboxTransaction transaction, CancellationToken cancellationToken);

    /// <summary>The envelopes <paramref name="result"/> stored, to push once the batch is committed.</summary>
    public abstract IEnumerable<AddressedEnvelope> ToPush(MailboxResult result);
}

public sealed record SendOperation(SendCommand Command) : MailboxOperation
{
    public override async Task<MailboxResult> ApplyAsync(IMailboxTransaction transaction, CancellationToken cancellationToken) =>
        new(await transaction.AppendMessageAsync(Command, cancellationToken), null);

    public override IEnumerable<AddressedEnvelope> ToPush(MailboxResult result) =>
        result.Send is { Status: SendStatus.Stored, Envelope: { } envelope }
            ? [new AddressedEnvelope(Command.RecipientId, envelope)]
            : [];
}

public sealed record AckOperation(string UserId, long UpToSeq, DateTimeOffset Now, DateTimeOffset ReceiptExpiresAt) : MailboxOperation
{
    public override async Task<MailboxResult> ApplyAsync(IMailboxTransaction transaction, CancellationToken cancellationToken) =>
        new(null, await transaction.AckAsync(UserId, UpToSeq, Now, ReceiptExpiresAt, cancellationToken));

    public override IEnumerable<AddressedEnvelope> ToPush(MailboxResult result) => result.Ack?.Receipts ?? [];
}

public sealed record MailboxResult(SendOutcome? Send, AckOutcome? Ack);
