namespace Chat.Domain.Messaging;

/// <summary>
/// One pending item in a recipient's mailbox. <see cref="Seq"/> is the recipient's own monotonic sequence
/// number. For receipts, <see cref="MessageId"/> names the message being acknowledged and
/// <see cref="From"/> is the user whose device acknowledged it. The payload is opaque.
/// </summary>
public sealed record Envelope(
    long Seq,
    Guid MessageId,
    EnvelopeKind Kind,
    string From,
    string? GroupId,
    string? Payload,
    DateTimeOffset SentAt);
