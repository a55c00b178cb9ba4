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
    DateTimeOffset ReceivedRecordExpiresAt,
    string? To = null)
{
    /// <summary>The envelope as stored with <paramref name="seq"/>; copies are marked as such.</summary>
    public Envelope ToEnvelope(long seq, bool isCopy = false) => new(seq, MessageId, Kind, From, GroupId, Payload, SentAt, To, isCopy);
}

/// <summary>A message a user received (still pending or already acknowledged), for read receipts.</summary>
public sealed record ReceivedMessage(Guid MessageId, string SenderId, string? GroupId);
