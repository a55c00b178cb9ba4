using Chat.Domain.Messaging;

namespace Chat.Infrastructure.Postgres;

internal sealed record PostgresEnvelopeRow(long Seq, Guid MessageId, short Kind, string SenderId, string? GroupId, string? Payload, DateTime SentAt, string? ToId, bool IsCopy)
{
    public Envelope ToEnvelope() =>
        new(Seq, MessageId, (EnvelopeKind)Kind, SenderId, GroupId, Payload, new DateTimeOffset(DateTime.SpecifyKind(SentAt, DateTimeKind.Utc)), ToId, IsCopy);
}
