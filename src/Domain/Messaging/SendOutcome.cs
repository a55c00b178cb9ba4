namespace Chat.Domain.Messaging;

public enum SendStatus
{
    /// <summary>Appended now; <see cref="SendOutcome.Stored"/> holds the new envelopes to push.</summary>
    Stored,

    /// <summary>The same (sender, clientMessageId) was stored before; the first result is returned.</summary>
    Duplicate,

    /// <summary>The recipient has no mailbox.</summary>
    UnknownRecipient,
}

/// <summary>The result of one <see cref="SendCommand"/> inside a committed batch.</summary>
/// <remarks><see cref="Stored"/> holds one envelope per device of the recipient, each with that device's seq.</remarks>
public sealed record SendOutcome(SendStatus Status, Guid MessageId, DateTimeOffset ServerTimestamp, IReadOnlyList<AddressedEnvelope> Stored)
{
    public static SendOutcome Unknown { get; } = new(SendStatus.UnknownRecipient, Guid.Empty, default, []);
}
