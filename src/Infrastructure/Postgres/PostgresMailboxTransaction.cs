using Chat.Domain.Messaging;
using Dapper;
using Npgsql;

namespace Chat.Infrastructure.Postgres;

/// <param name="shape">How <see cref="ApplyDirectAsync"/> writes a batch: <see cref="PostgresBatchShape.SetBased"/> or <see cref="PostgresBatchShape.SingleShard"/>.</param>
internal sealed partial class PostgresMailboxTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, PostgresBatchShape shape) : IMailboxTransaction
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

    private const string QueueReceiptsSql = """
        INSERT INTO receipt_outbox (user_id, message_id, kind, sender_id, group_id, created_at, expires_at)
        SELECT @ReaderId, r.message_id, @Kind, r.sender_id, r.group_id, @Now, @ExpiresAt
        FROM unnest(@MessageIds, @SenderIds, @GroupIds) AS r(message_id, sender_id, group_id)
        ON CONFLICT DO NOTHING
        """;

    private const string TakeReceiptsSql = """
        DELETE FROM receipt_outbox
        WHERE user_id = @ReaderId AND kind = @Kind AND message_id = ANY(@MessageIds) AND sender_id = @SenderId
        RETURNING message_id, group_id
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
        var row = await connection.QuerySingleAsync<(bool RecipientExists, long? Seq)>(
            new CommandDefinition(AppendSql, args, transaction, cancellationToken: cancellationToken));
        return await SendOutcomeOfAsync(command, row, cancellationToken);
    }

    public async Task<AckOutcome> AckAsync(string userId, long upToSeq, DateTimeOffset now, DateTimeOffset receiptExpiresAt, CancellationToken cancellationToken)
    {
        var removed = (await connection.QueryAsync<(short Kind, Guid MessageId, string SenderId, bool Live, string? GroupId)>(
            new CommandDefinition(DeleteAckedSql, new { UserId = userId, UpToSeq = upToSeq, Now = now }, transaction, cancellationToken: cancellationToken))).AsList();
        var receipts = DeliveredReceiptsOf(userId, removed);
        await QueueReceiptsAsync(receipts, now, receiptExpiresAt, cancellationToken);
        return new AckOutcome(removed.Count, receipts);
    }

    /// <summary>The delivered receipts an ack owes for the envelopes it removed.</summary>
    private static List<PendingReceipt> DeliveredReceiptsOf(string readerId, List<(short Kind, Guid MessageId, string SenderId, bool Live, string? GroupId)> removed)
    {
        var receipts = new List<PendingReceipt>(removed.Count);
        foreach (var row in removed)
        {
            // An expired envelope the sweeper has not reached yet was never delivered: no receipt for it.
            if (row.Kind == (short)EnvelopeKind.Message && row.Live)
            {
                receipts.Add(new PendingReceipt(readerId, row.SenderId, row.MessageId, row.GroupId, EnvelopeKind.Delivered));
            }
        }

        return receipts;
    }

    public async Task QueueReceiptsAsync(IReadOnlyList<PendingReceipt> receipts, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        foreach (var byReader in receipts.GroupBy(r => (r.ReaderId, r.Kind)))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                QueueReceiptsSql,
                new
                {
                    byReader.Key.ReaderId,
                    Kind = (short)byReader.Key.Kind,
                    MessageIds = byReader.Select(r => r.MessageId).ToArray(),
                    SenderIds = byReader.Select(r => r.SenderId).ToArray(),
                    GroupIds = byReader.Select(r => r.GroupId).ToArray(),
                    Now = now,
                    ExpiresAt = expiresAt,
                },
                transaction,
                cancellationToken: cancellationToken));
        }
    }

    public async Task<IReadOnlyList<AddressedEnvelope>> DeliverReceiptsAsync(
        string senderId, string readerId, EnvelopeKind kind, IReadOnlyList<Guid> messageIds, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var taken = (await connection.QueryAsync<(Guid MessageId, string? GroupId)>(new CommandDefinition(
            TakeReceiptsSql,
            new { ReaderId = readerId, SenderId = senderId, Kind = (short)kind, MessageIds = messageIds.ToArray() },
            transaction,
            cancellationToken: cancellationToken))).AsList();
        if (taken.Count == 0)
        {
            return [];
        }

        var lastSeq = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            ReserveSeqsSql, new { UserId = senderId, Count = taken.Count }, transaction, cancellationToken: cancellationToken));
        if (lastSeq is null)
        {
            return []; // The sender's account is gone: nobody to tell.
        }

        var seqs = Enumerable.Range(0, taken.Count).Select(i => lastSeq.Value - taken.Count + 1 + i).ToArray();
        await connection.ExecuteAsync(new CommandDefinition(
            InsertReceiptsSql,
            new
            {
                UserId = senderId,
                Seqs = seqs,
                MessageIds = taken.Select(t => t.MessageId).ToArray(),
                GroupIds = taken.Select(t => t.GroupId).ToArray(),
                Kind = (short)kind,
                From = readerId,
                Now = now,
                ExpiresAt = expiresAt,
            },
            transaction,
            cancellationToken: cancellationToken));
        return taken.Select((t, i) => new AddressedEnvelope(senderId, new Envelope(seqs[i], t.MessageId, kind, readerId, t.GroupId, null, now))).ToList();
    }

    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
