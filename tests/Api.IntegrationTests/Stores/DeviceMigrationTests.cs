using Chat.Infrastructure.Migrations;
using Chat.Infrastructure.Postgres;
using Chat.IntegrationTests.Infrastructure;
using Dapper;
using Npgsql;

namespace Chat.IntegrationTests.Stores;

/// <summary>Migration 0005 on a database that already holds mail: every mailbox and envelope becomes the primary device's.</summary>
public sealed class DeviceMigrationTests
{
    [Fact]
    public async Task Existing_mailboxes_and_envelopes_become_the_primary_devices()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestServers.CreateDatabaseAsync("premig"));
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            foreach (var (_, sql) in MigrationScripts.Load("postgres").Where(s => string.CompareOrdinal(s.Version, "postgres/0005") < 0))
            {
                await connection.ExecuteAsync(sql);
            }

            await connection.ExecuteAsync(
                """
                INSERT INTO accounts (user_id, password_hash, created_at) VALUES ('old-bob', 'h', now());
                INSERT INTO mailboxes (user_id, last_seq) VALUES ('old-bob', 2);
                INSERT INTO envelopes (user_id, seq, message_id, kind, sender_id, payload, sent_at, expires_at)
                VALUES ('old-bob', 1, gen_random_uuid(), 0, 'old-alice', 'one', now(), now() + interval '1 day'),
                       ('old-bob', 2, gen_random_uuid(), 0, 'old-alice', 'two', now(), now() + interval '1 day');
                CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
                INSERT INTO schema_migrations (version) VALUES ('postgres/0001_mailboxes'), ('postgres/0002_groups'), ('postgres/0003_contacts'), ('postgres/0004_receipt_outbox');
                """);
        }

        await new PostgresMigrationRunner(dataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresMigrationRunner>.Instance).MigrateAsync(default);
        var page = await new PostgresMailboxStore(dataSource).FetchPendingAsync("old-bob", 1, 0, 10, DateTimeOffset.UtcNow, default);
        var devices = await new PostgresDeviceStore(dataSource).ListAsync("old-bob", default);
        var linked = await new PostgresDeviceStore(dataSource).LinkAsync("old-bob", "laptop", 4, DateTimeOffset.UtcNow, default);

        Assert.Equal(["one", "two"], page.Envelopes.Select(e => e.Payload));
        Assert.Equal((1, "primary"), (Assert.Single(devices).DeviceId, devices[0].Name));
        Assert.Equal(2, linked!.DeviceId);
    }
}
