using Chat.Domain.Messaging;
using Dapper;
using Npgsql;

namespace Chat.Infrastructure.Postgres;

internal sealed partial class PostgresMailboxTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction) : IMailboxTransaction
{
    // One round trip per send: claim the idempotency key, take the next seq with an atomic row update and
    // store the envelope. All three touch only the recipient's shard. When the key was claimed before,
    // nothing is written and the first result is read back.
    private const string AppendSql = """
        WITH mailbox AS (
            SELECT user_id FROM mailboxes WHERE user_id = @RecipientId
        ), claimed AS (
            INSERT INTO message_dedup (user_id, sender_id, client_message_id, message_id, sent_at, expires_at)
            SELECT @RecipientId, @SenderId, @ClientMessageId, @MessageId, @SentAt, @DedupExpiresAt FROM mailbox
            ON CONFLICT (user_id, sender_id, client_message_id) DO NOTHING
            RETURNING message_id
        ), next AS (
            UPDATE mailboxes SET last_seq = last_seq + 1
            WHERE user_id = @RecipientId AND EXISTS (SELECT 1 FROM claimed)
            RETURNING last_seq
        ), stored AS (
            INSERT INTO envelopes (user_id, seq, message_id, kind, sender_id, payload, sent_at, expires_at)
            SELECT @RecipientId, last_seq, @MessageId, 0, @SenderId, @Payload, @SentAt, @ExpiresAt FROM next
            RETURNING seq
        )
        SELECT EXISTS (SELECT 1 FROM mailbox) AS RecipientExists, (SELECT seq FROM stored) AS Seq
        """;

    private const string FirstResultSql = """
        SELECT message_id AS MessageId, sent_at AS SentAt FROM message_dedup
        WHERE user_id = @RecipientId AND sender_id = @SenderId AND client_message_id = @ClientMessageId
        """;

    private const string DeleteAckedSql = """
        DELETE FROM envelopes WHERE user_id = @UserId AND seq <= @UpToSeq
        RETURNING kind AS Kind, message_id AS MessageId, sender_id AS SenderId, expires_at > @Now AS Live, group_id AS GroupId
        """;

    private const string ReserveSeqsSql = """
        UPDATE mailboxes SET last_seq = last_seq + @Count WHERE user_id = @UserId RETURNING last_seq
        """;

    private const string InsertReceiptsSql = """
        INSERT INTO envelopes (user_id, seq, message_id, kind, sender_id, group_id, payload, sent_at, expires_at)
        SELECT @UserId, s.seq, s.message_id, @Kind, @From, s.group_id, NULL, @Now, @ExpiresAt
        FROM unnest(@Seqs, @MessageIds, @GroupIds) AS s(seq, message_id, group_id)
        """;

    public async Task<SendOutcome> AppendMessageAsync(SendCommand command, CancellationToken cancellationToken)
    {
        var args = new
        {
            command.RecipientId,
            command.SenderId,
            command.ClientMessageId,
            command.MessageId,
            command.SentAt,
            command.ExpiresAt,
            command.DedupExpiresAt,
            command.Payload,
        };
        var (recipientExists, seq) = await connection.QuerySingleAsync<(bool RecipientExists, long? Seq)>(
            new CommandDefinition(AppendSql, args, transaction, cancellationToken: cancellationToken));
        if (!recipientExists)
        {
            return SendOutcome.Unknown;
        }

        if (seq is { } stored)
        {
            var envelope = new Envelope(stored, command.MessageId, EnvelopeKind.Message, command.SenderId, null, command.Payload, command.SentAt);
            return new SendOutcome(SendStatus.Stored, command.MessageId, command.SentAt, envelope);
        }

        var first = await connection.QuerySingleAsync<(Guid MessageId, DateTime SentAt)>(
            new CommandDefinition(FirstResultSql, args, transaction, cancellationToken: cancellationToken));
        return new SendOutcome(SendStatus.Duplicate, first.MessageId, new DateTimeOffset(DateTime.SpecifyKind(first.SentAt, DateTimeKind.Utc)), null);
    }

    public async Task<AckOutcome> AckAsync(string userId, long upToSeq, DateTimeOffset now, DateTimeOffset receiptExpiresAt, CancellationToken cancellationToken)
    {
        var removed = (await connection.QueryAsync<(short Kind, Guid MessageId, string SenderId, bool Live, string? GroupId)>(
            new CommandDefinition(DeleteAckedSql, new { UserId = userId, UpToSeq = upToSeq, Now = now }, transaction, cancellationToken: cancellationToken))).AsList();
        if (removed.Count == 0)
        {
            return AckOutcome.None;
        }

        var receipts = new List<AddressedEnvelope>();
        // Senders in a fixed order, so concurrent acks lock mailbox rows in the same order and never deadlock.
        // An expired envelope the sweeper has not reached yet was never delivered: no receipt for it.
        foreach (var group in removed.Where(r => r.Kind == (short)EnvelopeKind.Message && r.Live)
                     .GroupBy(r => r.SenderId, StringComparer.Ordinal)
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var messageIds = group.Select(r => r.MessageId).ToArray();
            var groupIds = group.Select(r => r.GroupId).ToArray();
            var lastSeq = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                ReserveSeqsSql, new { UserId = group.Key, Count = messageIds.Length }, transaction, cancellationToken: cancellationToken));
            if (lastSeq is null)
            {
                continue; // The sender's account is gone: nobody to tell.
            }

            var seqs = Enumerable.Range(0, messageIds.Length).Select(i => lastSeq.Value - messageIds.Length + 1 + i).ToArray();
            await connection.ExecuteAsync(new CommandDefinition(
                InsertReceiptsSql,
                new { UserId = group.Key, Seqs = seqs, MessageIds = messageIds, GroupIds = groupIds, Kind = (short)EnvelopeKind.Delivered, From = userId, Now = now, ExpiresAt = receiptExpiresAt },
                transaction,
                cancellationToken: cancellationToken));
            for (var i = 0; i < seqs.Length; i++)
            {
                receipts.Add(new AddressedEnvelope(group.Key, new Envelope(seqs[i], messageIds[i], EnvelopeKind.Delivered, userId, groupIds[i], null, now)));
            }
        }

        return new AckOutcome(removed.Count, receipts);
    }

    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
