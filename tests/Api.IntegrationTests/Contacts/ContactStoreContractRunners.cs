using Chat.Infrastructure.Postgres;
using Chat.Infrastructure.Sqlite;
using Chat.IntegrationTests.Infrastructure;
using Npgsql;

namespace Chat.IntegrationTests.Contacts;

public sealed class PostgresContactStoreTests : ContactStoreContractTests
{
    private NpgsqlDataSource? _dataSource;

    public override async Task InitializeAsync()
    {
        _dataSource = await MigratedStores.PostgresAsync("contacts");
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
    private readonly string _directory = MigratedStores.NewSqliteDirectory();

    public override async Task InitializeAsync()
    {
        var connections = await MigratedStores.SqliteAsync(_directory);
        Store = new SqliteContactStore(connections);
        Accounts = new SqliteAccountStore(connections);
    }

    public override Task DisposeAsync()
    {
        MigratedStores.DeleteSqlite(_directory);
        return Task.CompletedTask;
    }
}
