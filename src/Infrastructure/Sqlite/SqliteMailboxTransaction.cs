using Chat.Domain.Messaging;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Chat.Infrastructure.Sqlite;

internal sealed partial class SqliteMailboxTransaction(SqliteConnection connection, SqliteTransaction transaction, SemaphoreSlim writeGate) : IMailboxTransaction
{
    private const string ClaimSql = """
        INSERT INTO message_dedup (user_id, sender_id, client_message_id, message_id, sent_at, expires_at)
        VALUES (@RecipientId, @SenderId, @ClientMessageId, @MessageId, @SentAt, @DedupExpiresAt)
        ON CONFLICT (user_id, sender_id, client_message_id) DO NOTHING
        RETURNING message_id
        """;

    private const string FirstResultSql = """
        SELECT message_id AS MessageId, sent_at AS SentAt FROM message_dedup
        WHERE user_id = @RecipientId AND sender_id = @SenderId AND client_message_id = @ClientMessageId
        """;

    private const string NextSeqSql = "UPDATE mailboxes SET last_seq = last_seq + @Count WHERE user_id = @UserId RETURNING last_seq";

    private const string InsertSql = """
        INSERT INTO envelopes (user_id, seq, message_id, kind, sender_id, group_id, payload, sent_at, expires_at)
        VALUES (@UserId, @Seq, @MessageId, @Kind, @SenderId, @GroupId, @Payload, @SentAt, @ExpiresAt)
        """;

    private const string DeleteAckedSql = """
        DELETE FROM envelopes WHERE user_id = @UserId AND seq <= @UpToSeq
        RETURNING kind AS Kind, message_id AS MessageId, sender_id AS SenderId, expires_at > @Now AS Live, group_id AS GroupId
        """;

    public async Task<SendOutcome> AppendMessageAsync(SendCommand command, CancellationToken cancellationToken)
    {
        var exists = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM mailboxes WHERE user_id = @UserId", new { UserId = command.RecipientId }, transaction, cancellationToken: cancellationToken));
        if (exists is null)
        {
            return SendOutcome.Unknown;
        }

        var keys = new
        {
            command.RecipientId,
            command.SenderId,
            command.ClientMessageId,
            MessageId = command.MessageId.ToString(),
            SentAt = UnixTime.ToMs(command.SentAt),
            DedupExpiresAt = UnixTime.ToMs(command.DedupExpiresAt),
        };
        var claimed = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(ClaimSql, keys, transaction, cancellationToken: cancellationToken));
        if (claimed is null)
        {
            var first = await connection.QuerySingleAsync<(string MessageId, long SentAt)>(
                new CommandDefinition(FirstResultSql, keys, transaction, cancellationToken: cancellationToken));
            return new SendOutcome(SendStatus.Duplicate, Guid.Parse(first.MessageId), UnixTime.FromMs(first.SentAt), null);
        }

        var seq = await ReserveAsync(command.RecipientId, 1, cancellationToken) ?? throw new InvalidOperationException("mailbox vanished inside a transaction");
        await InsertAsync(command.RecipientId, seq, command.MessageId, EnvelopeKind.Message, command.SenderId, command.Payload, command.SentAt, command.ExpiresAt, cancellationToken);
        var envelope = new Envelope(seq, command.MessageId, EnvelopeKind.Message, command.SenderId, null, command.Payload, command.SentAt);
        return new SendOutcome(SendStatus.Stored, command.MessageId, command.SentAt, envelope);
    }

    public async Task<AckOutcome> AckAsync(string userId, long upToSeq, DateTimeOffset now, DateTimeOffset receiptExpiresAt, CancellationToken cancellationToken)
    {
        var removed = (await connection.QueryAsync<(long Kind, string MessageId, string SenderId, long Live, string? GroupId)>(new CommandDefinition(
            DeleteAckedSql, new { UserId = userId, UpToSeq = upToSeq, Now = UnixTime.ToMs(now) }, transaction, cancellationToken: cancellationToken))).AsList();
        // An expired envelope the sweeper has not reached yet was never delivered: no receipt for it.
        var receipts = removed
            .Where(r => r.Kind == (long)EnvelopeKind.Message && r.Live != 0)
            .Select(r => new PendingReceipt(userId, r.SenderId, Guid.Parse(r.MessageId), r.GroupId, EnvelopeKind.Delivered))
            .ToList();
        await QueueReceiptsAsync(receipts, now, receiptExpiresAt, cancellationToken);
        return new AckOutcome(removed.Count, receipts);
    }

    public async Task QueueReceiptsAsync(IReadOnlyList<PendingReceipt> receipts, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        foreach (var receipt in receipts)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO receipt_outbox (user_id, message_id, kind, sender_id, group_id, created_at, expires_at)
                VALUES (@ReaderId, @MessageId, @Kind, @SenderId, @GroupId, @Now, @ExpiresAt) ON CONFLICT DO NOTHING
                """,
                new
                {
                    receipt.ReaderId,
                    MessageId = receipt.MessageId.ToString(),
                    Kind = (long)receipt.Kind,
                    receipt.SenderId,
                    receipt.GroupId,
                    Now = UnixTime.ToMs(now),
                    ExpiresAt = UnixTime.ToMs(expiresAt),
                },
                transaction,
                cancellationToken: cancellationToken));
        }
    }

    public async Task<IReadOnlyList<AddressedEnvelope>> DeliverReceiptsAsync(
        string senderId, string readerId, EnvelopeKind kind, IReadOnlyList<Guid> messageIds, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var taken = (await connection.QueryAsync<(string MessageId, string? GroupId)>(new CommandDefinition(
            "DELETE FROM receipt_outbox WHERE user_id = @ReaderId AND kind = @Kind AND sender_id = @SenderId AND message_id IN @MessageIds RETURNING message_id, group_id",
            new { ReaderId = readerId, SenderId = senderId, Kind = (long)kind, MessageIds = messageIds.Select(id => id.ToString()).ToArray() },
            transaction,
            cancellationToken: cancellationToken))).AsList();
        if (taken.Count == 0 || await ReserveAsync(senderId, taken.Count, cancellationToken) is not { } lastSeq)
        {
            return []; // nothing queued any more, or the sender's account is gone
        }

        var stored = new List<AddressedEnvelope>(taken.Count);
        for (var i = 0; i < taken.Count; i++)
        {
            var seq = lastSeq - taken.Count + 1 + i;
            var messageId = Guid.Parse(taken[i].MessageId);
            await InsertAsync(senderId, seq, messageId, kind, readerId, null, now, expiresAt, cancellationToken, taken[i].GroupId);
            stored.Add(new AddressedEnvelope(senderId, new Envelope(seq, messageId, kind, readerId, taken[i].GroupId, null, now)));
        }

        return stored;
    }

    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
        finally
        {
            writeGate.Release();
        }
    }

    private Task<long?> ReserveAsync(string userId, int count, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long?>(new CommandDefinition(NextSeqSql, new { UserId = userId, Count = count }, transaction, cancellationToken: cancellationToken));

    private Task<int> InsertAsync(string userId, long seq, Guid messageId, EnvelopeKind kind, string senderId, string? payload, DateTimeOffset sentAt, DateTimeOffset expiresAt, CancellationToken cancellationToken, string? groupId = null) =>
        connection.ExecuteAsync(new CommandDefinition(
            InsertSql,
            new
            {
                UserId = userId,
                Seq = seq,
                MessageId = messageId.ToString(),
                Kind = (long)kind,
                SenderId = senderId,
                GroupId = groupId,
                Payload = payload,
                SentAt = UnixTime.ToMs(sentAt),
                ExpiresAt = UnixTime.ToMs(expiresAt),
            },
            transaction,
            cancellationToken: cancellationToken));
}
