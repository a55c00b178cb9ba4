using Chat.Infrastructure.Migrations;
using Chat.Infrastructure.Postgres;
using Chat.Infrastructure.Sqlite;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Chat.IntegrationTests.Contacts;

public sealed class PostgresContactStoreTests : ContactStoreContractTests
{
    private NpgsqlDataSource? _dataSource;

    public override async Task InitializeAsync()
    {
        _dataSource = NpgsqlDataSource.Create(await TestServers.CreateDatabaseAsync("contacts"));
        await new PostgresMigrationRunner(_dataSource, NullLogger<PostgresMigrationRunner>.Instance).MigrateAsync(default);
        Store = new PostgresContactStore(_dataSource);
        Accounts = new PostgresAccountStore(_dataSource);
    }

    public override async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }
}

public sealed class SqliteContactStoreTests : ContactStoreContractTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "chat-sqlite-tests", Guid.NewGuid().ToString("N"));

    public override async Task InitializeAsync()
    {
        var connections = SqliteConnectionFactory.ForDirectory(_directory);
        await new SqliteMigrationRunner(connections, NullLogger<SqliteMigrationRunner>.Instance).MigrateAsync(default);
        Store = new SqliteContactStore(connections);
        Accounts = new SqliteAccountStore(connections);
    }

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}
