namespace Chat.Domain.Messaging;

/// <summary>A stored envelope addressed to one device of <paramref name="UserId"/>, to be pushed after commit.</summary>
public sealed record AddressedEnvelope(string UserId, int DeviceId, Envelope Envelope);

/// <summary>What an acknowledgement removed, and the delivered receipts it queued for the original senders.</summary>
public sealed record AckOutcome(int Removed, IReadOnlyList<PendingReceipt> Receipts)
{
    public static AckOutcome None { get; } = new(0, []);
}
