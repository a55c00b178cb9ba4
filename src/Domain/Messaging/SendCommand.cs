namespace Chat.Domain.Messaging;

/// <summary>
/// A validated one-to-one send, ready to be appended to the recipient's mailbox. The idempotency record
/// outlives the envelope (until <see cref="DedupExpiresAt"/>) so a late retry still finds the first result.
/// </summary>
public sealed record SendCommand(
    string SenderId,
    string ClientMessageId,
    string RecipientId,
    string Payload,
    Guid MessageId,
    DateTimeOffset SentAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset DedupExpiresAt);
