using Chat.Domain.Messaging;

namespace Chat.Infrastructure.Sqlite;

internal sealed record SqliteEnvelopeRow(long Seq, string MessageId, long Kind, string SenderId, string? GroupId, string? Payload, long SentAt, string? ToId, long IsCopy)
{
    public Envelope ToEnvelope() =>
        new(Seq, Guid.Parse(MessageId), (EnvelopeKind)Kind, SenderId, GroupId, Payload, UnixTime.FromMs(SentAt), ToId, IsCopy != 0);
}
