using Chat.Domain.Messaging;
using Dapper;
using Npgsql;

namespace Chat.Infrastructure.Postgres;

/// <param name="shape">How <see cref="ApplyDirectAsync"/> writes a batch: <see cref="PostgresBatchShape.SetBased"/> or <see cref="PostgresBatchShape.SingleShard"/>.</param>
/// <param name="orderedFanOutLocks">Whether a fan-out first locks its recipients' mailboxes in key order: on a single
/// server (Citus runs <c>SELECT … FOR UPDATE</c> on one shard only).</param>
internal sealed partial class PostgresMailboxTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, PostgresBatchShape shape, bool orderedFanOutLocks) : IMailboxTransaction
{
    // One round trip per send: claim the idempotency key, take the next seq of every device's mailbox with one
    // atomic update and store one envelope per device. All of it touches only the recipient's shard. When the key
    // was claimed before, nothing is written and the first result is read back. Returns one row per device stored
    // (device_id, seq), or one row with nulls when nothing was.
    private const string AppendSql = """
        WITH mailbox AS (
            SELECT user_id FROM mailboxes WHERE user_id = @RecipientId LIMIT 1
        ), claimed AS (
            INSERT INTO message_dedup (user_id, sender_id, client_message_id, message_id, sent_at, expires_at)
            SELECT @RecipientId, @SenderId, @ClientMessageId, @MessageId, @SentAt, @DedupExpiresAt FROM mailbox
            ON CONFLICT (user_id, sender_id, client_message_id) DO NOTHING
            RETURNING message_id
        ), next AS (
            UPDATE mailboxes SET last_seq = last_seq + 1
            WHERE user_id = @RecipientId AND EXISTS (SELECT 1 FROM claimed)
            RETURNING device_id, last_seq
        ), stored AS (
            INSERT INTO envelopes (user_id, device_id, seq, message_id, kind, sender_id, payload, sent_at, expires_at)
            SELECT @RecipientId, device_id, last_seq, @MessageId, 0, @SenderId, @Payload, @SentAt, @ExpiresAt FROM next
            RETURNING device_id, seq
        )
        SELECT EXISTS (SELECT 1 FROM mailbox) AS RecipientExists, stored.device_id AS DeviceId, stored.seq AS Seq
        FROM (SELECT 1) AS one LEFT JOIN stored ON true
        """;

    private const string FirstResultSql = """
        SELECT message_id AS MessageId, sent_at AS SentAt FROM message_dedup
        WHERE user_id = @RecipientId AND sender_id = @SenderId AND client_message_id = @ClientMessageId
        """;

    // Live = the ack owes the sender a delivered receipt: a message (not a copy of one the reader sent) that had not
    // expired, and, when the reader has other devices, that none of them acknowledged first (the received record's
    // delivered flag is the claim). With one device the flag is neither read nor written.
    private const string DeleteAckedSql = """
        WITH removed AS (
            DELETE FROM envelopes WHERE user_id = @UserId AND device_id = @DeviceId AND seq <= @UpToSeq
            RETURNING kind, message_id, sender_id, kind = 0 AND NOT is_copy AND expires_at > @Now AS owed, group_id
        ), shared AS (
            SELECT EXISTS (SELECT 1 FROM mailboxes WHERE user_id = @UserId AND device_id <> @DeviceId) AS yes
        ), first AS (
            UPDATE message_dedup d SET delivered = true
            FROM removed r
            WHERE (SELECT yes FROM shared) AND r.owed
              AND d.user_id = @UserId AND d.message_id = r.message_id AND d.sender_id = r.sender_id AND NOT d.delivered
            RETURNING d.message_id
        )
        SELECT r.kind AS Kind, r.message_id AS MessageId, r.sender_id AS SenderId,
               r.owed AND (NOT (SELECT yes FROM shared) OR r.message_id IN (SELECT message_id FROM first)) AS Live,
               r.group_id AS GroupId
        FROM removed r
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


    public async Task<SendOutcome> AppendMessageAsync(SendCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<(bool RecipientExists, int? DeviceId, long? Seq)>(1);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(AppendCommand(command));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await ReadSendRowsAsync(reader, rows, cancellationToken);
        }

        return await SendOutcomeOfAsync(command, rows, cancellationToken);
    }

    public async Task<AckOutcome> AckAsync(string userId, int deviceId, long upToSeq, DateTimeOffset now, DateTimeOffset receiptExpiresAt, CancellationToken cancellationToken)
    {
        var removed = (await connection.QueryAsync<(short Kind, Guid MessageId, string SenderId, bool Live, string? GroupId)>(
            new CommandDefinition(DeleteAckedSql, new { UserId = userId, DeviceId = deviceId, UpToSeq = upToSeq, Now = now }, transaction, cancellationToken: cancellationToken))).AsList();
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
            // An expired envelope the sweeper has not reached yet was never delivered: no receipt for it. Nor is one
            // owed for a copy, or when another device of the reader acknowledged the message first.
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

        var move = new DeliverReceiptsOperation(senderId, readerId, kind, messageIds, now, expiresAt);
        var rows = new List<(int DeviceId, long Seq, Guid MessageId, string? GroupId)>();
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(StoreReceiptsCommand(move, taken));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await ReadReceiptRowsAsync(reader, rows, cancellationToken);
        }

        return ReceiptEnvelopesOf(move, rows); // empty: the sender's account is gone, nobody to tell
    }

    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
