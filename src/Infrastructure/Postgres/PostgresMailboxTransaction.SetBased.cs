using Chat.Domain.Messaging;
using Npgsql;

namespace Chat.Infrastructure.Postgres;

/// <summary>
/// The hot path on a single PostgreSQL server (<see cref="PostgresBatchShape.SetBased"/>): a batch of sends, acks
/// and receipt moves is at most six statements in two pipelined round trips, whatever its size. Each statement
/// joins its table to the batch's arrays (<c>unnest</c>), so the database pays parse, plan and executor start-up once
/// per kind of operation instead of once per operation. Every join to a table also filters the table's key with
/// <c>= ANY(array)</c>: a join to <c>unnest</c> alone is planned as a sequential scan of the whole table.
/// </summary>
internal sealed partial class PostgresMailboxTransaction
{
    // Acks: each deletes one device's (after, up to]; "after" is what an earlier ack of the same device in this batch
    // already took, so every envelope is counted by exactly the ack that would have removed it one by one. A receipt
    // is owed for a message (not a copy) that had not expired; when the reader has other devices, only the first
    // device to acknowledge it claims it (the received record's delivered flag), and inside one batch the earliest ack.
    private const string DeleteAckedSetSql = """
        WITH acks AS (
            SELECT a.*, EXISTS (SELECT 1 FROM mailboxes m WHERE m.user_id = a.user_id AND m.device_id <> a.device_id) AS shared
            FROM unnest(@UserIds, @DeviceIds, @AfterSeqs, @UpToSeqs, @Nows) WITH ORDINALITY AS a(user_id, device_id, after_seq, up_to_seq, now, ord)
        ), removed AS (
            DELETE FROM envelopes e
            USING acks a
            WHERE e.user_id = ANY(@UserIds) AND e.user_id = a.user_id AND e.device_id = a.device_id AND e.seq > a.after_seq AND e.seq <= a.up_to_seq
            RETURNING a.ord, a.user_id, a.shared, e.kind, e.message_id, e.sender_id,
                      e.kind = 0 AND NOT e.is_copy AND e.expires_at > a.now AS owed, e.group_id
        ), first AS (
            UPDATE message_dedup d SET delivered = true
            FROM removed r
            WHERE r.shared AND r.owed
              AND d.user_id = ANY(@UserIds) AND d.user_id = r.user_id AND d.message_id = r.message_id AND d.sender_id = r.sender_id AND NOT d.delivered
            RETURNING d.user_id, d.message_id
        )
        SELECT r.ord, r.kind, r.message_id, r.sender_id,
               r.owed AND (NOT r.shared OR (
                   EXISTS (SELECT 1 FROM first f WHERE f.user_id = r.user_id AND f.message_id = r.message_id)
                   AND r.ord = (SELECT min(o.ord) FROM removed o WHERE o.user_id = r.user_id AND o.message_id = r.message_id AND o.owed))),
               r.group_id
        FROM removed r
        """;

    private const string TakeReceiptsSetSql = """
        DELETE FROM receipt_outbox o
        USING unnest(@ReaderIds, @SenderIds, @Kinds, @MessageIds, @Moves) AS t(reader_id, sender_id, kind, message_id, move)
        WHERE o.user_id = ANY(@ReaderIds) AND o.user_id = t.reader_id AND o.message_id = t.message_id AND o.kind = t.kind AND o.sender_id = t.sender_id
        RETURNING t.move, o.message_id, o.group_id
        """;

    // Locks every mailbox row the batch advances, in key order (the global lock order), before anything writes.
    private const string LockMailboxesSql = """
        SELECT count(*) FROM (SELECT 1 FROM mailboxes WHERE user_id = ANY(@UserIds) ORDER BY user_id, device_id FOR UPDATE) locked
        """;

    // Sends: claim the idempotency keys (the first of duplicates in queue order wins), number the claimed ones per
    // device of the recipient in queue order after last_seq, advance each last_seq once and store the envelopes.
    // One row per send and device stored, or one with nulls when nothing was.
    private const string AppendSetSql = """
        WITH input AS (
            SELECT * FROM unnest(@RecipientIds, @SenderIds, @ClientMessageIds, @MessageIds, @SentAts, @ExpiresAts, @DedupExpiresAts, @Payloads)
                WITH ORDINALITY AS i(recipient_id, sender_id, client_message_id, message_id, sent_at, expires_at, dedup_expires_at, payload, ord)
        ), boxes AS (
            SELECT user_id, device_id, last_seq FROM mailboxes WHERE user_id = ANY(@RecipientIds)
        ), claimed AS (
            INSERT INTO message_dedup (user_id, sender_id, client_message_id, message_id, sent_at, expires_at)
            SELECT i.recipient_id, i.sender_id, i.client_message_id, i.message_id, i.sent_at, i.dedup_expires_at
            FROM input i WHERE EXISTS (SELECT 1 FROM boxes b WHERE b.user_id = i.recipient_id)
            ORDER BY i.ord
            ON CONFLICT (user_id, sender_id, client_message_id) DO NOTHING
            RETURNING message_id
        ), numbered AS (
            SELECT i.*, b.device_id, b.last_seq + row_number() OVER (PARTITION BY b.user_id, b.device_id ORDER BY i.ord) AS seq
            FROM input i JOIN boxes b ON b.user_id = i.recipient_id
            WHERE i.message_id IN (SELECT message_id FROM claimed)
        ), advanced AS (
            UPDATE mailboxes m SET last_seq = n.top
            FROM (SELECT recipient_id, device_id, max(seq) AS top FROM numbered GROUP BY recipient_id, device_id) n
            WHERE m.user_id = ANY(@RecipientIds) AND m.user_id = n.recipient_id AND m.device_id = n.device_id
        ), stored AS (
            INSERT INTO envelopes (user_id, device_id, seq, message_id, kind, sender_id, payload, sent_at, expires_at)
            SELECT recipient_id, device_id, seq, message_id, 0, sender_id, payload, sent_at, expires_at FROM numbered
        )
        SELECT i.ord, EXISTS (SELECT 1 FROM boxes b WHERE b.user_id = i.recipient_id), n.device_id, n.seq
        FROM input i LEFT JOIN numbered n ON n.ord = i.ord
        ORDER BY i.ord, n.device_id
        """;

    // Receipts taken from the outboxes, on every device of their sender, numbered after last_seq (which the sends above
    // may have advanced).
    private const string StoreReceiptsSetSql = """
        WITH numbered AS (
            SELECT i.*, m.device_id, m.last_seq + row_number() OVER (PARTITION BY m.user_id, m.device_id ORDER BY i.ord) AS seq
            FROM unnest(@UserIds, @MessageIds, @GroupIds, @Kinds, @FromIds, @Nows, @ExpiresAts, @Moves)
                WITH ORDINALITY AS i(user_id, message_id, group_id, kind, from_id, now, expires_at, move, ord)
            JOIN mailboxes m ON m.user_id = i.user_id
            WHERE m.user_id = ANY(@UserIds)
        ), advanced AS (
            UPDATE mailboxes m SET last_seq = n.top
            FROM (SELECT user_id, device_id, max(seq) AS top FROM numbered GROUP BY user_id, device_id) n
            WHERE m.user_id = ANY(@UserIds) AND m.user_id = n.user_id AND m.device_id = n.device_id
        ), stored AS (
            INSERT INTO envelopes (user_id, device_id, seq, message_id, kind, sender_id, group_id, payload, sent_at, expires_at)
            SELECT user_id, device_id, seq, message_id, kind, from_id, group_id, NULL, now, expires_at FROM numbered
        )
        SELECT move, device_id, seq, message_id, group_id FROM numbered ORDER BY ord, device_id
        """;

    private const string QueueReceiptsSetSql = """
        INSERT INTO receipt_outbox (user_id, message_id, kind, sender_id, group_id, created_at, expires_at)
        SELECT r.reader_id, r.message_id, @Kind, r.sender_id, r.group_id, r.now, r.expires_at
        FROM unnest(@ReaderIds, @MessageIds, @SenderIds, @GroupIds, @Nows, @ExpiresAts) AS r(reader_id, message_id, sender_id, group_id, now, expires_at)
        ON CONFLICT DO NOTHING
        """;

    private async Task<DirectBatchOutcome> ApplySetBasedAsync(DirectBatch batch, CancellationToken cancellationToken)
    {
        var removed = new List<(short Kind, Guid MessageId, string SenderId, bool Live, string? GroupId)>[batch.Acks.Count];
        var taken = new List<(Guid MessageId, string? GroupId)>[batch.Receipts.Count];
        for (var i = 0; i < removed.Length; i++)
        {
            removed[i] = [];
        }

        for (var i = 0; i < taken.Length; i++)
        {
            taken[i] = [];
        }

        if (removed.Length + taken.Length > 0)
        {
            await TakeSetAsync(batch, removed, taken, cancellationToken);
        }

        var ackOutcomes = new AckOutcome[batch.Acks.Count];
        for (var i = 0; i < ackOutcomes.Length; i++)
        {
            ackOutcomes[i] = new AckOutcome(removed[i].Count, DeliveredReceiptsOf(batch.Acks[i].UserId, removed[i]));
        }

        var sendRows = new List<(bool RecipientExists, int? DeviceId, long? Seq)>[batch.Sends.Count];
        for (var i = 0; i < sendRows.Length; i++)
        {
            sendRows[i] = new(1);
        }

        var receiptRows = new List<(int DeviceId, long Seq, Guid MessageId, string? GroupId)>[batch.Receipts.Count];
        for (var i = 0; i < receiptRows.Length; i++)
        {
            receiptRows[i] = [];
        }

        await WriteSetAsync(batch, taken, ackOutcomes, sendRows, receiptRows, cancellationToken);

        var sendOutcomes = new SendOutcome[batch.Sends.Count];
        for (var i = 0; i < sendOutcomes.Length; i++)
        {
            sendOutcomes[i] = await SendOutcomeOfAsync(batch.Sends[i], sendRows[i], cancellationToken);
        }

        var stored = new IReadOnlyList<AddressedEnvelope>[batch.Receipts.Count];
        for (var i = 0; i < stored.Length; i++)
        {
            stored[i] = receiptRows[i].Count == 0 ? [] : ReceiptEnvelopesOf(batch.Receipts[i], receiptRows[i]);
        }

        return new DirectBatchOutcome(sendOutcomes, ackOutcomes, stored);
    }

    /// <summary>Round trip one: the acks' deletes and the receipt moves' takes; no mailbox row is locked.</summary>
    private async Task TakeSetAsync(
        DirectBatch batch,
        List<(short Kind, Guid MessageId, string SenderId, bool Live, string? GroupId)>[] removed,
        List<(Guid MessageId, string? GroupId)>[] taken,
        CancellationToken cancellationToken)
    {
        await using var pipeline = new NpgsqlBatch(connection, transaction);
        if (batch.Acks.Count > 0)
        {
            pipeline.BatchCommands.Add(DeleteAckedCommand(batch.Acks));
        }

        var receiptCount = 0;
        foreach (var move in batch.Receipts)
        {
            receiptCount += move.MessageIds.Count;
        }

        if (receiptCount > 0)
        {
            pipeline.BatchCommands.Add(TakeReceiptsCommand(batch.Receipts, receiptCount));
        }

        if (pipeline.BatchCommands.Count == 0)
        {
            return;
        }

        await using var reader = await pipeline.ExecuteReaderAsync(cancellationToken);
        if (batch.Acks.Count > 0)
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var ack = (int)reader.GetInt64(0) - 1;
                removed[ack].Add((reader.GetInt16(1), reader.GetGuid(2), reader.GetString(3), reader.GetBoolean(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
            }

            await reader.NextResultAsync(cancellationToken);
        }

        if (receiptCount > 0)
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                taken[reader.GetInt32(0)].Add((reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }
    }

    /// <summary>Round trip two: lock the mailboxes in key order, then sends, stored receipts and queued receipts.</summary>
    private async Task WriteSetAsync(
        DirectBatch batch,
        List<(Guid MessageId, string? GroupId)>[] taken,
        AckOutcome[] ackOutcomes,
        List<(bool RecipientExists, int? DeviceId, long? Seq)>[] sendRows,
        List<(int DeviceId, long Seq, Guid MessageId, string? GroupId)>[] receiptRows,
        CancellationToken cancellationToken)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var send in batch.Sends)
        {
            keys.Add(send.RecipientId);
        }

        var takenCount = 0;
        for (var i = 0; i < taken.Length; i++)
        {
            if (taken[i].Count > 0)
            {
                keys.Add(batch.Receipts[i].SenderId);
                takenCount += taken[i].Count;
            }
        }

        var queuedCount = 0;
        foreach (var outcome in ackOutcomes)
        {
            queuedCount += outcome.Receipts.Count;
        }

        await using var pipeline = new NpgsqlBatch(connection, transaction);
        if (keys.Count > 0)
        {
            pipeline.BatchCommands.Add(Command(LockMailboxesSql, P("UserIds", keys.ToArray())));
        }

        if (batch.Sends.Count > 0)
        {
            pipeline.BatchCommands.Add(AppendSetCommand(batch.Sends));
        }

        if (takenCount > 0)
        {
            pipeline.BatchCommands.Add(StoreReceiptsSetCommand(batch.Receipts, taken, takenCount));
        }

        if (queuedCount > 0)
        {
            pipeline.BatchCommands.Add(QueueReceiptsSetCommand(batch.Acks, ackOutcomes, queuedCount));
        }

        if (pipeline.BatchCommands.Count == 0)
        {
            return;
        }

        await using var reader = await pipeline.ExecuteReaderAsync(cancellationToken);
        if (keys.Count > 0)
        {
            await reader.NextResultAsync(cancellationToken);
        }

        if (batch.Sends.Count > 0)
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                sendRows[(int)reader.GetInt64(0) - 1].Add((reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetInt64(3)));
            }

            await reader.NextResultAsync(cancellationToken);
        }

        if (takenCount > 0)
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                receiptRows[reader.GetInt32(0)].Add((reader.GetInt32(1), reader.GetInt64(2), reader.GetGuid(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
            }
        }
    }

    private static NpgsqlBatchCommand DeleteAckedCommand(IReadOnlyList<AckOperation> acks)
    {
        var userIds = new string[acks.Count];
        var deviceIds = new int[acks.Count];
        var afterSeqs = new long[acks.Count];
        var upToSeqs = new long[acks.Count];
        var nows = new DateTimeOffset[acks.Count];
        for (var i = 0; i < acks.Count; i++)
        {
            userIds[i] = acks[i].UserId;
            deviceIds[i] = acks[i].DeviceId;
            upToSeqs[i] = acks[i].UpToSeq;
            nows[i] = acks[i].Now;
            for (var j = 0; j < i; j++)
            {
                // Rare (two acks of one mailbox in one batch): the later one starts where the earlier ones stopped.
                if (userIds[j] == userIds[i] && deviceIds[j] == deviceIds[i])
                {
                    afterSeqs[i] = Math.Max(afterSeqs[i], upToSeqs[j]);
                }
            }
        }

        return Command(DeleteAckedSetSql, P("UserIds", userIds), P("DeviceIds", deviceIds), P("AfterSeqs", afterSeqs), P("UpToSeqs", upToSeqs), P("Nows", nows));
    }

    private static NpgsqlBatchCommand TakeReceiptsCommand(IReadOnlyList<DeliverReceiptsOperation> moves, int count)
    {
        var readerIds = new string[count];
        var senderIds = new string[count];
        var kinds = new short[count];
        var messageIds = new Guid[count];
        var moveIndexes = new int[count];
        var k = 0;
        for (var m = 0; m < moves.Count; m++)
        {
            foreach (var messageId in moves[m].MessageIds)
            {
                (readerIds[k], senderIds[k], kinds[k], messageIds[k], moveIndexes[k]) = (moves[m].ReaderId, moves[m].SenderId, (short)moves[m].Kind, messageId, m);
                k++;
            }
        }

        return Command(TakeReceiptsSetSql, P("ReaderIds", readerIds), P("SenderIds", senderIds), P("Kinds", kinds), P("MessageIds", messageIds), P("Moves", moveIndexes));
    }

    private static NpgsqlBatchCommand AppendSetCommand(IReadOnlyList<SendCommand> sends)
    {
        var n = sends.Count;
        var (recipients, senders, clientIds, messageIds) = (new string[n], new string[n], new string[n], new Guid[n]);
        var (sentAts, expiresAts, dedupExpiresAts, payloads) = (new DateTimeOffset[n], new DateTimeOffset[n], new DateTimeOffset[n], new string[n]);
        for (var i = 0; i < n; i++)
        {
            var s = sends[i];
            (recipients[i], senders[i], clientIds[i], messageIds[i]) = (s.RecipientId, s.SenderId, s.ClientMessageId, s.MessageId);
            (sentAts[i], expiresAts[i], dedupExpiresAts[i], payloads[i]) = (s.SentAt, s.ExpiresAt, s.DedupExpiresAt, s.Payload);
        }

        return Command(
            AppendSetSql,
            P("RecipientIds", recipients),
            P("SenderIds", senders),
            P("ClientMessageIds", clientIds),
            P("MessageIds", messageIds),
            P("SentAts", sentAts),
            P("ExpiresAts", expiresAts),
            P("DedupExpiresAts", dedupExpiresAts),
            P("Payloads", payloads));
    }

    private static NpgsqlBatchCommand StoreReceiptsSetCommand(IReadOnlyList<DeliverReceiptsOperation> moves, List<(Guid MessageId, string? GroupId)>[] taken, int count)
    {
        var (userIds, messageIds, groupIds, kinds) = (new string[count], new Guid[count], new string?[count], new short[count]);
        var (fromIds, nows, expiresAts, moveIndexes) = (new string[count], new DateTimeOffset[count], new DateTimeOffset[count], new int[count]);
        var k = 0;
        for (var m = 0; m < moves.Count; m++)
        {
            var move = moves[m];
            foreach (var (messageId, groupId) in taken[m])
            {
                (userIds[k], messageIds[k], groupIds[k], kinds[k]) = (move.SenderId, messageId, groupId, (short)move.Kind);
                (fromIds[k], nows[k], expiresAts[k], moveIndexes[k]) = (move.ReaderId, move.Now, move.ExpiresAt, m);
                k++;
            }
        }

        return Command(
            StoreReceiptsSetSql,
            P("UserIds", userIds),
            P("MessageIds", messageIds),
            P("GroupIds", groupIds),
            P("Kinds", kinds),
            P("FromIds", fromIds),
            P("Nows", nows),
            P("ExpiresAts", expiresAts),
            P("Moves", moveIndexes));
    }

    private static NpgsqlBatchCommand QueueReceiptsSetCommand(IReadOnlyList<AckOperation> acks, AckOutcome[] outcomes, int count)
    {
        var (readerIds, messageIds, senderIds, groupIds) = (new string[count], new Guid[count], new string[count], new string?[count]);
        var (nows, expiresAts) = (new DateTimeOffset[count], new DateTimeOffset[count]);
        var k = 0;
        for (var a = 0; a < acks.Count; a++)
        {
            foreach (var receipt in outcomes[a].Receipts)
            {
                (readerIds[k], messageIds[k], senderIds[k], groupIds[k]) = (acks[a].UserId, receipt.MessageId, receipt.SenderId, receipt.GroupId);
                (nows[k], expiresAts[k]) = (acks[a].Now, acks[a].ReceiptExpiresAt);
                k++;
            }
        }

        return Command(
            QueueReceiptsSetSql,
            P("Kind", (short)EnvelopeKind.Delivered),
            P("ReaderIds", readerIds),
            P("MessageIds", messageIds),
            P("SenderIds", senderIds),
            P("GroupIds", groupIds),
            P("Nows", nows),
            P("ExpiresAts", expiresAts));
    }
}
