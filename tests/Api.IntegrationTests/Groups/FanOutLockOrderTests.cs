using Chat.Domain.Groups;
using Chat.Domain.Messaging;
using Chat.Infrastructure.Postgres;
using Chat.IntegrationTests.Infrastructure;
using Npgsql;

namespace Chat.IntegrationTests.Groups;

/// <summary>
/// Group fan-outs lock many members' mailboxes while other workers' batches lock a few in key order. Every
/// transaction must take its locks in one sorted pass, or PostgreSQL finds deadlocks: each one stalls both
/// transactions for deadlock_timeout before one is rolled back and retried.
/// </summary>
public sealed class FanOutLockOrderTests : IAsyncLifetime
{
    private const string ApplicationName = "fan-out-lock-order";
    private static readonly DateTimeOffset T0 = new(2026, 4, 1, 8, 0, 0, TimeSpan.Zero);

    private NpgsqlDataSource _dataSource = null!;
    private string _connectionString = null!;

    public async Task InitializeAsync()
    {
        await using var migrated = await MigratedStores.PostgresAsync("fanoutlocks");
        _connectionString = new NpgsqlConnectionStringBuilder(migrated.ConnectionString) { ApplicationName = ApplicationName }.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(_connectionString);
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    [Fact]
    public async Task Fan_outs_beside_sends_to_their_members_on_another_worker_never_deadlock()
    {
        var store = new PostgresMailboxStore(_dataSource);
        var accounts = new PostgresAccountStore(_dataSource);
        var members = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            members.Add($"fl-{i:D3}-{Guid.NewGuid():N}"[..20]);
            Assert.True(await accounts.CreateAsync(members[^1], "hash", T0, default));
        }

        var groupWorker = new MailboxWorkerHandler(store, new DiscardingNotifier(), new PostgresErrorClassifier());
        var otherWorker = new MailboxWorkerHandler(store, new DiscardingNotifier(), new PostgresErrorClassifier());
        var created = await groupWorker.ProcessAsync([new CreateGroupOperation("locks", members[0], "locks", members, T0, T0.AddDays(30))], default);
        Assert.Null(created[0].Error);
        var senders = members.Take(4).ToList();

        for (var round = 0; round < 25; round++)
        {
            // One worker: a fan-out from each of four senders (each locks every member but its sender). The other: a
            // send to each sender, whose mailbox the other senders' fan-outs lock, in the batch's key order.
            var fanOuts = senders.Select(s => (MailboxOperation)new GroupSendOperation(
                "locks", s, $"r{round}-{s}", "hi", Guid.CreateVersion7(T0), T0, T0.AddDays(1), T0.AddDays(30))).ToList();
            var sends = senders.AsEnumerable().Reverse().Select(s => (MailboxOperation)new SendOperation(new SendCommand(
                members[^1], $"r{round}-to-{s}", s, "hi", Guid.CreateVersion7(T0), T0, T0.AddDays(1), T0.AddDays(30)))).ToList();

            var results = await Task.WhenAll(
                Task.Run(() => groupWorker.ProcessAsync(fanOuts, default)),
                Task.Run(() => otherWorker.ProcessAsync(sends, default)));

            Assert.All(results.SelectMany(r => r), r => Assert.Null(r.Error));
        }

        Assert.Equal(0, await DeadlocksAsync());
    }

    /// <summary>Deadlocks PostgreSQL detected in this test's database, once this test's sessions have ended and so reported their counts.</summary>
    private async Task<long> DeadlocksAsync()
    {
        await _dataSource.DisposeAsync();
        var builder = new NpgsqlConnectionStringBuilder(_connectionString) { ApplicationName = "fan-out-lock-check", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var sessions = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = @name", connection);
            sessions.Parameters.AddWithValue("name", ApplicationName);
            if ((long)(await sessions.ExecuteScalarAsync())! == 0)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the test's sessions did not end");
            await Task.Delay(50); // polling the server's session list; there is no event for a backend's exit
        }

        await using var command = new NpgsqlCommand("SELECT pg_stat_clear_snapshot(); SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        return reader.GetInt64(0);
    }

    private sealed class DiscardingNotifier : IEnvelopeNotifier
    {
        public Task NotifyAsync(IReadOnlyList<AddressedEnvelope> envelopes, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
