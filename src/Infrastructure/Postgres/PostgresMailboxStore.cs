using Chat.Domain.Messaging;
using Dapper;
using Npgsql;

namespace Chat.Infrastructure.Postgres;

/// <summary>
/// Mailboxes on PostgreSQL (Citus-ready). Every statement filters on the distribution column user_id,
/// so each one routes to a single shard.
/// </summary>
public sealed class PostgresMailboxStore(NpgsqlDataSource dataSource, PostgresBatchShape shape = PostgresBatchShape.SingleShard) : IMailboxStore
{
    // Whether the database is a Citus cluster (0: not known yet, 1: no, 2: yes); read once, on the first transaction.
    private int _citus;

    private const string FetchSql = """
        SELECT seq, message_id AS MessageId, kind, sender_id AS SenderId, group_id AS GroupId, payload, sent_at AS SentAt,
               to_id AS ToId, is_copy AS IsCopy
        FROM envelopes
        WHERE user_id = @UserId AND device_id = @DeviceId AND seq > @AfterSeq AND expires_at > @Now
        ORDER BY seq
        LIMIT @Take
        """;

    private const string StatsSql = """
        SELECT (SELECT max(last_seq) FROM mailboxes WHERE user_id = @UserId) AS last_seq,
               count(*) AS pending,
               min(sent_at) AS oldest
        FROM envelopes
        WHERE user_id = @UserId AND expires_at > @Now
        """;

    // Bounded batches. On Citus the LIMIT subquery is planned first (recursive planning) and its keys are
    // then deleted shard by shard, so no statement ever holds locks on the whole table.
    private const string SweepEnvelopesSql = """
        DELETE FROM envelopes
        WHERE (user_id, device_id, seq) IN (SELECT user_id, device_id, seq FROM envelopes WHERE expires_at <= @Now LIMIT @Batch)
        """;

    private const string SweepDedupSql = """
        DELETE FROM message_dedup
        WHERE (user_id, sender_id, client_message_id) IN
              (SELECT user_id, sender_id, client_message_id FROM message_dedup WHERE expires_at <= @Now LIMIT @Batch)
        """;

    private const string SweepReceiptsSql = """
        DELETE FROM receipt_outbox
        WHERE (user_id, message_id, kind) IN (SELECT user_id, message_id, kind FROM receipt_outbox WHERE expires_at <= @Now LIMIT @Batch)
        """;

    public async Task<IMailboxTransaction> BeginAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref _citus) == 0)
            {
                Volatile.Write(ref _citus, await CitusExtension.IsInstalledAsync(connection, cancellationToken) ? 2 : 1);
            }

            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            return new PostgresMailboxTransaction(connection, transaction, shape, orderedFanOutLocks: _citus == 1);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<PendingPage> FetchPendingAsync(string userId, int deviceId, long afterSeq, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<PostgresEnvelopeRow>(new CommandDefinition(
            FetchSql, new { UserId = userId, DeviceId = deviceId, AfterSeq = afterSeq, Now = now, Take = limit + 1 }, cancellationToken: cancellationToken));
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
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var args = new { Now = now, Batch = batchSize };
        var envelopes = await connection.ExecuteAsync(new CommandDefinition(SweepEnvelopesSql, args, cancellationToken: cancellationToken));
        var dedup = await connection.ExecuteAsync(new CommandDefinition(SweepDedupSql, args, cancellationToken: cancellationToken));
        var receipts = await connection.ExecuteAsync(new CommandDefinition(SweepReceiptsSql, args, cancellationToken: cancellationToken));
        return envelopes + dedup + receipts;
    }

    public async Task<IReadOnlyList<PendingReceipt>> GetStaleReceiptsAsync(DateTimeOffset queuedBefore, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string ReaderId, string SenderId, Guid MessageId, string? GroupId, short Kind)>(new CommandDefinition(
            "SELECT user_id, sender_id, message_id, group_id, kind FROM receipt_outbox WHERE created_at < @QueuedBefore AND expires_at > @Now LIMIT @Limit",
            new { QueuedBefore = queuedBefore, Now = now, Limit = limit },
            cancellationToken: cancellationToken));
        return rows.Select(r => new PendingReceipt(r.ReaderId, r.SenderId, r.MessageId, r.GroupId, (EnvelopeKind)r.Kind)).ToList();
    }

    public async Task<long> CountPendingAsync(string userId, int deviceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM envelopes WHERE user_id = @UserId AND device_id = @DeviceId AND expires_at > @Now",
            new { UserId = userId, DeviceId = deviceId, Now = now },
            cancellationToken: cancellationToken));
    }

    public async Task<MailboxStats> GetStatsAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<(long? LastSeq, long Pending, DateTime? Oldest)>(new CommandDefinition(
            StatsSql, new { UserId = userId, Now = now }, cancellationToken: cancellationToken));
        return new MailboxStats(
            row.LastSeq is not null,
            row.Pending,
            row.Oldest is { } oldest ? new DateTimeOffset(oldest, TimeSpan.Zero) : null,
            row.LastSeq ?? 0);
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken));
    }
}
