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

    // Every device's mailbox of the user (but one, for copies) advances together.
    private const string NextSeqSql = """
        UPDATE mailboxes SET last_seq = last_seq + @Count WHERE user_id = @UserId AND device_id <> @ExceptDeviceId
        RETURNING device_id, last_seq
        """;

    private const string InsertSql = """
        INSERT INTO envelopes (user_id, device_id, seq, message_id, kind, sender_id, group_id, payload, sent_at, expires_at, is_copy, to_id)
        VALUES (@UserId, @DeviceId, @Seq, @MessageId, @Kind, @SenderId, @GroupId, @Payload, @SentAt, @ExpiresAt, @IsCopy, @To)
        """;

    private const string DeleteAckedSql = """
        DELETE FROM envelopes WHERE user_id = @UserId AND device_id = @DeviceId AND seq <= @UpToSeq
        RETURNING kind AS Kind, message_id AS MessageId, sender_id AS SenderId, kind = 0 AND is_copy = 0 AND expires_at > @Now AS Live, group_id AS GroupId
        """;

    // The first device of the reader to acknowledge a message claims its delivered receipt.
    private const string ClaimDeliveredSql = """
        UPDATE message_dedup SET delivered = 1
        WHERE user_id = @UserId AND message_id = @MessageId AND sender_id = @SenderId AND delivered = 0
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
            return new SendOutcome(SendStatus.Duplicate, Guid.Parse(first.MessageId), UnixTime.FromMs(first.SentAt), []);
        }

        var draft = new EnvelopeDraft(command.MessageId, EnvelopeKind.Message, command.SenderId, null, command.Payload, command.SentAt, command.ExpiresAt, command.DedupExpiresAt);
        var stored = await StoreOnDevicesAsync(command.RecipientId, NoDevice, draft, false, cancellationToken);
        return new SendOutcome(SendStatus.Stored, command.MessageId, command.SentAt, stored);
    }

    public async Task<AckOutcome> AckAsync(string userId, int deviceId, long upToSeq, DateTimeOffset now, DateTimeOffset receiptExpiresAt, CancellationToken cancellationToken)
    {
        var removed = (await connection.QueryAsync<(long Kind, string MessageId, string SenderId, long Live, string? GroupId)>(new CommandDefinition(
            DeleteAckedSql, new { UserId = userId, DeviceId = deviceId, UpToSeq = upToSeq, Now = UnixTime.ToMs(now) }, transaction, cancellationToken: cancellationToken))).AsList();
        // An expired envelope the sweeper has not reached yet was never delivered, and a copy was never sent to
        // this user: no receipt for either. With several devices, only the first to acknowledge owes one.
        var shared = removed.Count > 0 && await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM mailboxes WHERE user_id = @UserId AND device_id <> @DeviceId LIMIT 1",
            new { UserId = userId, DeviceId = deviceId },
            transaction,
            cancellationToken: cancellationToken)) is not null;
        var receipts = new List<PendingReceipt>();
        foreach (var r in removed.Where(r => r.Live != 0))
        {
            if (!shared || await connection.ExecuteAsync(new CommandDefinition(
                ClaimDeliveredSql, new { UserId = userId, r.MessageId, r.SenderId }, transaction, cancellationToken: cancellationToken)) > 0)
            {
                receipts.Add(new PendingReceipt(userId, r.SenderId, Guid.Parse(r.MessageId), r.GroupId, EnvelopeKind.Delivered));
            }
        }

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
        if (taken.Count == 0)
        {
            return []; // nothing queued any more
        }

        var stored = new List<AddressedEnvelope>(taken.Count);
        foreach (var (device, lastSeq) in await ReserveAsync(senderId, taken.Count, NoDevice, cancellationToken))
        {
            for (var i = 0; i < taken.Count; i++)
            {
                var draft = new EnvelopeDraft(Guid.Parse(taken[i].MessageId), kind, readerId, taken[i].GroupId, null, now, expiresAt, expiresAt);
                var seq = lastSeq - taken.Count + 1 + i;
                await InsertAsync(senderId, device, seq, draft, false, cancellationToken);
                stored.Add(new AddressedEnvelope(senderId, device, draft.ToEnvelope(seq)));
            }
        }

        return stored; // empty when the sender's account is gone
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

    /// <summary>No real device has this id: "every device".</summary>
    private const int NoDevice = 0;

    /// <summary>Stores <paramref name="draft"/> on every device of the user except one, each with its next seq, in device order.</summary>
    private async Task<IReadOnlyList<AddressedEnvelope>> StoreOnDevicesAsync(string userId, int exceptDeviceId, EnvelopeDraft draft, bool isCopy, CancellationToken cancellationToken)
    {
        var stored = new List<AddressedEnvelope>(1);
        foreach (var (device, seq) in await ReserveAsync(userId, 1, exceptDeviceId, cancellationToken))
        {
            await InsertAsync(userId, device, seq, draft, isCopy, cancellationToken);
            stored.Add(new AddressedEnvelope(userId, device, draft.ToEnvelope(seq, isCopy)));
        }

        return stored;
    }

    private async Task<List<(int DeviceId, long LastSeq)>> ReserveAsync(string userId, int count, int exceptDeviceId, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<(int DeviceId, long LastSeq)>(new CommandDefinition(
            NextSeqSql, new { UserId = userId, Count = count, ExceptDeviceId = exceptDeviceId }, transaction, cancellationToken: cancellationToken)))
        .OrderBy(r => r.DeviceId)
        .ToList();

    private Task<int> InsertAsync(string userId, int deviceId, long seq, EnvelopeDraft draft, bool isCopy, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            InsertSql,
            new
            {
                UserId = userId,
                DeviceId = deviceId,
                Seq = seq,
                MessageId = draft.MessageId.ToString(),
                Kind = (long)draft.Kind,
                SenderId = draft.From,
                draft.GroupId,
                draft.Payload,
                SentAt = UnixTime.ToMs(draft.SentAt),
                ExpiresAt = UnixTime.ToMs(draft.ExpiresAt),
                IsCopy = isCopy ? 1L : 0L,
                draft.To,
            },
            transaction,
            cancellationToken: cancellationToken));
}
