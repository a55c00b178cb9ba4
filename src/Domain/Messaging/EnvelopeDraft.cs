namespace Chat.Domain.Messaging;

/// <summary>An envelope to store in several mailboxes; each recipient's copy gets that recipient's own seq.</summary>
public sealed record EnvelopeDraft(
    Guid MessageId,
    EnvelopeKind Kind,
    string From,
    string? GroupId,
    string? Payload,
    DateTimeOffset SentAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset ReceivedRecordExpiresAt);

/// <summary>A message a user received (still pending or already acknowledged), for read receipts.</summary>
public sealed record ReceivedMessage(Guid MessageId, string SenderId, string? GroupId);
