namespace Chat.Domain.Messaging;

public enum SendStatus
{
    /// <summary>Appended now; <see cref="SendOutcome.Envelope"/> is the new envelope to push.</summary>
    Stored,

    /// <summary>The same (sender, clientMessageId) was stored before; the first result is returned.</summary>
    Duplicate,

    /// <summary>The recipient has no mailbox.</summary>
    UnknownRecipient,
}

/// <summary>The result of one <see cref="SendCommand"/> inside a committed batch.</summary>
public sealed record SendOutcome(SendStatus Status, Guid MessageId, DateTimeOffset ServerTimestamp, Envelope? Envelope)
{
    public static SendOutcome Unknown { get; } = new(SendStatus.UnknownRecipient, Guid.Empty, default, null);
}
