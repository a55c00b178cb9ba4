namespace Chat.Domain.Messaging;

/// <summary>A stored envelope addressed to one device of <paramref name="UserId"/>, to be pushed after commit.</summary>
public sealed record AddressedEnvelope(string UserId, int DeviceId, Envelope Envelope);

/// <summary>
/// What an acknowledgement removed, the delivered receipts it queued in the reader's outbox for the original senders
/// (<see cref="Receipts"/>, moved afterwards on the senders' workers), and those it stored straight in their senders'
/// mailboxes in its own transaction (<see cref="Stored"/>, pushed after the commit).
/// </summary>
public sealed record AckOutcome(int Removed, IReadOnlyList<PendingReceipt> Receipts)
{
    public static AckOutcome None { get; } = new(0, []);

    public IReadOnlyList<AddressedEnvelope> Stored { get; init; } = [];
}
