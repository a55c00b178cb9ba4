namespace Chat.Domain.Messaging;

/// <summary>
/// One pending item in a recipient's mailbox. <see cref="Seq"/> is the recipient's own monotonic sequence
/// number. For receipts, <see cref="MessageId"/> names the message being acknowledged and
/// <see cref="From"/> is the user whose device acknowledged it. The payload is opaque. A copy
/// (<see cref="IsCopy"/>) is what the account itself did on another of its devices: a message it sent (to
/// <see cref="To"/> or to the group) or a read mark it made (on a message from <see cref="To"/>).
/// </summary>
public sealed record Envelope(
    long Seq,
    Guid MessageId,
    EnvelopeKind Kind,
    string From,
    string? GroupId,
    string? Payload,
    DateTimeOffset SentAt,
    string? To = null,
    bool IsCopy = false);
