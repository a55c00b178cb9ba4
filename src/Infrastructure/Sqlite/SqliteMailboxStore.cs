using Chat.Domain.Messaging;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Chat.Infrastructure.Sqlite;

/// <summary>The embedded mailbox store: one SQLite file, for a single node with no external server.</summary>
public sealed class SqliteMailboxStore(SqliteConnectionFactory connections) : IMailboxStore
{
    private const string FetchSql = """
        SELECT seq AS Seq, message_id AS MessageId, kind AS Kind, sender_id AS SenderId, group_id AS GroupId, payload AS Payload, sent_at AS SentAt,
               to_id AS ToId, is_copy AS IsCopy
        FROM envelopes
        WHERE user_id = @UserId AND device_id = @DeviceId AND seq > @AfterSeq AND expires_at > @Now
        ORDER BY seq
        LIMIT @Take
        """;

    private const string StatsSql = """
        SELECT (SELECT max(last_seq) FROM mailboxes WHERE user_id = @UserId) AS LastSeq,
               count(*) AS Pending,
               min(sent_at) AS Oldest
        FROM envelopes
        WHERE user_id = @UserId AND expires_at > @Now
        """;


    public async Task<IMailboxTransaction> BeginAsync(CancellationToken cancellationToken)
    {
        await connections.WriteGate.WaitAsync(cancellationToken);
        SqliteConnection? connection = null;
        try
        {
            connection = await connections.OpenAsync(cancellationToken);
            // Immediate: take the write lock now rather than failing on upgrade later.
            var transaction = connection.BeginTransaction(deferred: false);
            return new SqliteMailboxTransaction(connection, transaction, connections.WriteGate);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            connections.WriteGate.Release();
            throw;
        }
    }

    public async Task<PendingPage> FetchPendingAsync(string userId, int deviceId, long afterSeq, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SqliteEnvelopeRow>(new CommandDefinition(
            FetchSql, new { UserId = userId, DeviceId = deviceId, AfterSeq = afterSeq, Now = UnixTime.ToMs(now), Take = limit + 1 }, cancellationToken: cancellationToken));
        var envelopes = rows.Select(r => r.ToEnvelope()).ToList();
        var hasMore = envelopes.Count > limit;
        if (hasMore)
        {
            envelopes.RemoveAt(envelopes.Count - 1);
        }

        return new PendingPage(envelopes, hasMore);
    }

    public async Task<int> SweepExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var args = new { Now = UnixTime.ToMs(now), Batch = batchSize };
        // WITHOUT ROWID tables have no rowid: select the keys of a bounded batch instead.
        var envelopes = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM envelopes WHERE (user_id, device_id, seq) IN (SELECT user_id, device_id, seq FROM envelopes WHERE expires_at <= @Now LIMIT @Batch)",
            args, cancellationToken: cancellationToken));
        var dedup = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM message_dedup WHERE (user_id, sender_id, client_message_id) IN (SELECT user_id, sender_id, client_message_id FROM message_dedup WHERE expires_at <= @Now LIMIT @Batch)",
            args, cancellationToken: cancellationToken));
        var receipts = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM receipt_outbox WHERE (user_id, message_id, kind) IN (SELECT user_id, message_id, kind FROM receipt_outbox WHERE expires_at <= @Now LIMIT @Batch)",
            args, cancellationToken: cancellationToken));
        return envelopes + dedup + receipts;
    }

    public async Task<IReadOnlyList<PendingReceipt>> GetStaleReceiptsAsync(DateTimeOffset queuedBefore, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string ReaderId, string SenderId, string MessageId, string? GroupId, long Kind)>(new CommandDefinition(
            "SELECT user_id, sender_id, message_id, group_id, kind FROM receipt_outbox WHERE created_at < @QueuedBefore AND expires_at > @Now LIMIT @Limit",
            new { QueuedBefore = UnixTime.ToMs(queuedBefore), Now = UnixTime.ToMs(now), Limit = limit },
            cancellationToken: cancellationToken));
        return rows.Select(r => new PendingReceipt(r.ReaderId, r.SenderId, Guid.Parse(r.MessageId), r.GroupId, (EnvelopeKind)r.Kind)).ToList();
    }

    public async Task<long> CountPendingAsync(string userId, int deviceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM envelopes WHERE user_id = @UserId AND device_id = @DeviceId AND expires_at > @Now",
            new { UserId = userId, DeviceId = deviceId, Now = UnixTime.ToMs(now) },
            cancellationToken: cancellationToken));
    }

    public async Task<MailboxStats> GetStatsAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<(long? LastSeq, long Pending, long? Oldest)>(new CommandDefinition(
            StatsSql, new { UserId = userId, Now = UnixTime.ToMs(now) }, cancellationToken: cancellationToken));
        return new MailboxStats(row.LastSeq is not null, row.Pending, row.Oldest is { } oldest ? UnixTime.FromMs(oldest) : null, row.LastSeq ?? 0);
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken));
    }
}
