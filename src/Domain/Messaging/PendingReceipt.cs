namespace Chat.Domain.Messaging;

/// <summary>
/// A receipt queued in the reader's shard (the outbox), waiting to be stored in the sender's mailbox by the
/// sender's worker. <paramref name="Kind"/> is <see cref="EnvelopeKind.Delivered"/> or <see cref="EnvelopeKind.Read"/>.
/// </summary>
public sealed record PendingReceipt(string ReaderId, string SenderId, Guid MessageId, string? GroupId, EnvelopeKind Kind);
