using Chat.Domain.Messaging;
using Dapper;
using Npgsql;

namespace Chat.Infrastructure.Postgres;

/// <summary>
/// The hot path for Citus (<see cref="PostgresBatchShape.SingleShard"/>): a batch of sends, acks and receipt moves
/// costs two pipelined round trips (plus the commit) whatever its size, instead of one to three per operation. Each
/// statement is single-shard, so Citus routes it straight to its worker: the pipelining is Npgsql's (NpgsqlBatch),
/// not one multi-shard statement. A single server takes the set-based path instead (PostgresMailboxTransaction.SetBased.cs).
/// </summary>
internal sealed partial class PostgresMailboxTransaction : IPipelinedMailboxTransaction
{
    // Reserves the seqs of all of one sender's receipts on every device of the sender with one update and stores
    // them, in one statement.
    private const string StoreReceiptsSql = """
        WITH next AS (
            UPDATE mailboxes SET last_seq = last_seq + @Count WHERE user_id = @UserId RETURNING device_id, last_seq
        )
        INSERT INTO envelopes (user_id, device_id, seq, message_id, kind, sender_id, group_id, payload, sent_at, expires_at)
        SELECT @UserId, next.device_id, next.last_seq - @Count + s.ord, s.message_id, @Kind, @From, s.group_id, NULL, @Now, @ExpiresAt
        FROM next, unnest(@MessageIds, @GroupIds) WITH ORDINALITY AS s(message_id, group_id, ord)
        RETURNING device_id, seq, message_id, group_id
        """;

    public Task<DirectBatchOutcome> ApplyDirectAsync(DirectBatch batch, CancellationToken cancellationToken) =>
        shape == PostgresBatchShape.SetBased ? ApplySetBasedAsync(batch, cancellationToken) : ApplySingleShardAsync(batch, cancellationToken);

    private async Task<DirectBatchOutcome> ApplySingleShardAsync(DirectBatch batch, CancellationToken cancellationToken)
    {
        // Phase 1 locks no mailbox row: acks delete their own envelopes, receipt moves take their rows from the
        // readers' outboxes.
        var removed = new List<(short Kind, Guid MessageId, string SenderId, bool Live, string? GroupId)>[batch.Acks.Count];
        var taken = new List<(Guid MessageId, string? GroupId)>[batch.Receipts.Count];
        if (removed.Length + taken.Length > 0)
        {
            await ReadPhaseOneAsync(batch, removed, taken, cancellationToken);
        }

        // An ack's receipt for a sender this worker also serialises is stored in the sender's mailbox right here;
        // the others are queued in the reader's outbox and moved by the sender's worker afterwards.
        var ackOutcomes = new AckOutcome[batch.Acks.Count];
        var inline = new List<OwnReceipts>();
        for (var i = 0; i < ackOutcomes.Length; i++)
        {
            var receipts = DeliveredReceiptsOf(batch.Acks[i].UserId, removed[i]);
            ackOutcomes[i] = new AckOutcome(removed[i].Count, batch.SameWorker is null ? receipts : SplitInline(batch.Acks[i], i, receipts, batch.SameWorker, inline));
        }

        // Phase 2 takes the mailbox row locks (sends and stored receipts advance last_seq), in key order.
        var sendRows = new List<(bool RecipientExists, int? DeviceId, long? Seq)>[batch.Sends.Count];
        var receiptRows = new List<(int DeviceId, long Seq, Guid MessageId, string? GroupId)>?[batch.Receipts.Count];
        await WritePhaseTwoAsync(batch, taken, ackOutcomes, inline, sendRows, receiptRows, cancellationToken);
        if (inline.Count > 0)
        {
            var storedByAck = new List<AddressedEnvelope>?[ackOutcomes.Length];
            foreach (var own in inline)
            {
                (storedByAck[own.Ack] ??= []).AddRange(ReceiptEnvelopesOf(own.Move, own.Rows));
            }

            for (var i = 0; i < ackOutcomes.Length; i++)
            {
                if (storedByAck[i] is { } ownReceipts)
                {
                    ackOutcomes[i] = ackOutcomes[i] with { Stored = ownReceipts };
                }
            }
        }

        var sendOutcomes = new SendOutcome[batch.Sends.Count];
        for (var i = 0; i < sendOutcomes.Length; i++)
        {
            sendOutcomes[i] = await SendOutcomeOfAsync(batch.Sends[i], sendRows[i], cancellationToken);
        }

        var stored = new IReadOnlyList<AddressedEnvelope>[batch.Receipts.Count];
        for (var i = 0; i < stored.Length; i++)
        {
            stored[i] = receiptRows[i] is { } rows ? ReceiptEnvelopesOf(batch.Receipts[i], rows) : [];
        }

        return new DirectBatchOutcome(sendOutcomes, ackOutcomes, stored);
    }

    /// <summary>
    /// Moves the receipts whose sender <paramref name="sameWorker"/> holds into <paramref name="inline"/>, one store per
    /// sender, and returns those left to queue.
    /// </summary>
    private static List<PendingReceipt> SplitInline(
        AckOperation ack,
        int index,
        List<PendingReceipt> receipts,
        Func<string, bool> sameWorker,
        List<OwnReceipts> inline)
    {
        var queued = new List<PendingReceipt>(receipts.Count);
        var first = inline.Count;
        foreach (var receipt in receipts)
        {
            if (!sameWorker(receipt.SenderId))
            {
                queued.Add(receipt);
                continue;
            }

            var slot = inline.FindIndex(first, x => x.Move.SenderId == receipt.SenderId);
            if (slot < 0)
            {
                inline.Add(new OwnReceipts(index, new DeliverReceiptsOperation(receipt.SenderId, ack.UserId, EnvelopeKind.Delivered, [], ack.Now, ack.ReceiptExpiresAt)));
                slot = inline.Count - 1;
            }

            inline[slot].Taken.Add((receipt.MessageId, receipt.GroupId));
        }

        return queued;
    }

    private async Task ReadPhaseOneAsync(
        DirectBatch batch,
        List<(short Kind, Guid MessageId, string SenderId, bool Live, string? GroupId)>[] removed,
        List<(Guid MessageId, string? GroupId)>[] taken,
        CancellationToken cancellationToken)
    {
        await using var pipeline = new NpgsqlBatch(connection, transaction);
        foreach (var ack in batch.Acks)
        {
            pipeline.BatchCommands.Add(Command(DeleteAckedSql, P("UserId", ack.UserId), P("DeviceId", ack.DeviceId), P("UpToSeq", ack.UpToSeq), P("Now", ack.Now)));
        }

        foreach (var move in batch.Receipts)
        {
            pipeline.BatchCommands.Add(Command(
                TakeReceiptsSql,
                P("ReaderId", move.ReaderId),
                P("SenderId", move.SenderId),
                P("Kind", (short)move.Kind),
                P("MessageIds", move.MessageIds as Guid[] ?? move.MessageIds.ToArray())));
        }

        await using var reader = await pipeline.ExecuteReaderAsync(cancellationToken);
        for (var i = 0; i < removed.Length; i++)
        {
            removed[i] = [];
            while (await reader.ReadAsync(cancellationToken))
            {
                removed[i].Add((reader.GetInt16(0), reader.GetGuid(1), reader.GetString(2), reader.GetBoolean(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
            }

            await reader.NextResultAsync(cancellationToken);
        }

        for (var i = 0; i < taken.Length; i++)
        {
            taken[i] = [];
            while (await reader.ReadAsync(cancellationToken))
            {
                taken[i].Add((reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
            }

            await reader.NextResultAsync(cancellationToken);
        }
    }

    private async Task WritePhaseTwoAsync(
        DirectBatch batch,
        List<(Guid MessageId, string? GroupId)>[] taken,
        AckOutcome[] ackOutcomes,
        List<OwnReceipts> inline,
        List<(bool RecipientExists, int? DeviceId, long? Seq)>[] sendRows,
        List<(int DeviceId, long Seq, Guid MessageId, string? GroupId)>?[] receiptRows,
        CancellationToken cancellationToken)
    {
        // Statements that return rows, in key order (stable: one key's items keep their order); (kind, index).
        var ordered = new List<(string Key, Row Kind, int Index)>(batch.Sends.Count + batch.Receipts.Count + inline.Count);
        for (var i = 0; i < batch.Sends.Count; i++)
        {
            ordered.Add((batch.Sends[i].RecipientId, Row.Send, i));
        }

        for (var i = 0; i < batch.Receipts.Count; i++)
        {
            if (taken[i].Count > 0)
            {
                ordered.Add((batch.Receipts[i].SenderId, Row.Move, i));
            }
        }

        for (var i = 0; i < inline.Count; i++)
        {
            ordered.Add((inline[i].Move.SenderId, Row.Inline, i));
        }

        var sorted = ordered.OrderBy(o => o.Key, StringComparer.Ordinal).ToList();
        await using var pipeline = new NpgsqlBatch(connection, transaction);
        foreach (var (_, kind, index) in sorted)
        {
            pipeline.BatchCommands.Add(kind switch
            {
                Row.Send => AppendCommand(batch.Sends[index]),
                Row.Move => StoreReceiptsCommand(batch.Receipts[index], taken[index]),
                _ => StoreReceiptsCommand(inline[index].Move, inline[index].Taken),
            });
        }

        // Last, and returning nothing: the acks' receipts into the readers' own outboxes (no mailbox row is locked).
        for (var i = 0; i < ackOutcomes.Length; i++)
        {
            if (ackOutcomes[i].Receipts.Count > 0)
            {
                pipeline.BatchCommands.Add(QueueReceiptsCommand(batch.Acks[i], ackOutcomes[i].Receipts));
            }
        }

        if (pipeline.BatchCommands.Count == 0)
        {
            return;
        }

        await using var reader = await pipeline.ExecuteReaderAsync(cancellationToken);
        foreach (var (_, kind, index) in sorted)
        {
            switch (kind)
            {
                case Row.Send:
                    sendRows[index] = new(1);
                    await ReadSendRowsAsync(reader, sendRows[index], cancellationToken);
                    break;
                case Row.Move:
                    receiptRows[index] = [];
                    await ReadReceiptRowsAsync(reader, receiptRows[index]!, cancellationToken); // empty: the sender's account is gone
                    break;
                default:
                    await ReadReceiptRowsAsync(reader, inline[index].Rows, cancellationToken);
                    break;
            }
        }
    }

    /// <summary>Receipts an ack stores itself for one sender its worker holds: the store, its rows, and the rows it returned.</summary>
    private sealed record OwnReceipts(int Ack, DeliverReceiptsOperation Move)
    {
        public List<(Guid MessageId, string? GroupId)> Taken { get; } = [];

        public List<(int DeviceId, long Seq, Guid MessageId, string? GroupId)> Rows { get; } = [];
    }

    /// <summary>What a phase-two statement that returns rows stores: a send, a receipt move, or an ack's own receipts.</summary>
    private enum Row
    {
        Send,
        Move,
        Inline,
    }

    /// <summary>Reads one statement's result: the send's rows, one per device stored (or one with nulls).</summary>
    private static async Task ReadSendRowsAsync(NpgsqlDataReader reader, List<(bool RecipientExists, int? DeviceId, long? Seq)> rows, CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetInt64(2)));
        }

        await reader.NextResultAsync(cancellationToken);
    }

    private static async Task ReadReceiptRowsAsync(NpgsqlDataReader reader, List<(int DeviceId, long Seq, Guid MessageId, string? GroupId)> rows, CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetInt32(0), reader.GetInt64(1), reader.GetGuid(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        await reader.NextResultAsync(cancellationToken);
    }

    /// <summary>The stored receipts in (device, seq) order, so each device's pushes go out in seq order.</summary>
    private static List<AddressedEnvelope> ReceiptEnvelopesOf(DeliverReceiptsOperation move, List<(int DeviceId, long Seq, Guid MessageId, string? GroupId)> rows) =>
        rows.OrderBy(r => r.DeviceId).ThenBy(r => r.Seq)
            .Select(r => new AddressedEnvelope(move.SenderId, r.DeviceId, new Envelope(r.Seq, r.MessageId, move.Kind, move.ReaderId, r.GroupId, null, move.Now)))
            .ToList();

    private async Task<SendOutcome> SendOutcomeOfAsync(SendCommand command, List<(bool RecipientExists, int? DeviceId, long? Seq)> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0 || !rows[0].RecipientExists)
        {
            return SendOutcome.Unknown;
        }

        if (rows[0].Seq is not null)
        {
            var stored = new AddressedEnvelope[rows.Count];
            for (var i = 0; i < rows.Count; i++)
            {
                stored[i] = new AddressedEnvelope(
                    command.RecipientId, rows[i].DeviceId!.Value, new Envelope(rows[i].Seq!.Value, command.MessageId, EnvelopeKind.Message, command.SenderId, null, command.Payload, command.SentAt));
            }

            return new SendOutcome(SendStatus.Stored, command.MessageId, command.SentAt, stored);
        }

        // A retry of a send stored before (rare): read the first result back.
        var first = await connection.QuerySingleAsync<(Guid MessageId, DateTime SentAt)>(new CommandDefinition(
            FirstResultSql,
            new { command.RecipientId, command.SenderId, command.ClientMessageId },
            transaction,
            cancellationToken: cancellationToken));
        return new SendOutcome(SendStatus.Duplicate, first.MessageId, new DateTimeOffset(DateTime.SpecifyKind(first.SentAt, DateTimeKind.Utc)), []);
    }

    private static NpgsqlBatchCommand AppendCommand(SendCommand command) =>
        Command(
            AppendSql,
            P("RecipientId", command.RecipientId),
            P("SenderId", command.SenderId),
            P("ClientMessageId", command.ClientMessageId),
            P("MessageId", command.MessageId),
            P("SentAt", command.SentAt),
            P("ExpiresAt", command.ExpiresAt),
            P("DedupExpiresAt", command.DedupExpiresAt),
            P("Payload", command.Payload));

    private static NpgsqlBatchCommand StoreReceiptsCommand(DeliverReceiptsOperation move, List<(Guid MessageId, string? GroupId)> taken) =>
        Command(
            StoreReceiptsSql,
            P("UserId", move.SenderId),
            P("Count", (long)taken.Count),
            P("Kind", (short)move.Kind),
            P("From", move.ReaderId),
            P("Now", move.Now),
            P("ExpiresAt", move.ExpiresAt),
            P("MessageIds", taken.Select(t => t.MessageId).ToArray()),
            P("GroupIds", taken.Select(t => t.GroupId).ToArray()));

    private static NpgsqlBatchCommand QueueReceiptsCommand(AckOperation ack, IReadOnlyList<PendingReceipt> receipts) =>
        Command(
            QueueReceiptsSql,
            P("ReaderId", ack.UserId),
            P("Kind", (short)EnvelopeKind.Delivered),
            P("MessageIds", receipts.Select(r => r.MessageId).ToArray()),
            P("SenderIds", receipts.Select(r => r.SenderId).ToArray()),
            P("GroupIds", receipts.Select(r => r.GroupId).ToArray()),
            P("Now", ack.Now),
            P("ExpiresAt", ack.ReceiptExpiresAt));

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    // Typed parameters: no boxing of the Guids, times and numbers on the send path.
    private static NpgsqlParameter<T> P<T>(string name, T value) => new(name, value);
}
