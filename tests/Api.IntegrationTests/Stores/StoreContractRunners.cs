using Chat.Infrastructure.Postgres;
using Chat.Infrastructure.Sqlite;
using Chat.IntegrationTests.Infrastructure;
using Npgsql;

namespace Chat.IntegrationTests.Stores;

public sealed class PostgresMailboxStoreTests : MailboxStoreContractTests
{
    private NpgsqlDataSource? _dataSource;

    public override async Task InitializeAsync()
    {
        _dataSource = await MigratedStores.PostgresAsync("store");
        Store = new PostgresMailboxStore(_dataSource);
        Accounts = new PostgresAccountStore(_dataSource);
        Groups = new PostgresGroupStore(_dataSource);
    }

    public override async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }
}

public sealed class SqliteMailboxStoreTests : MailboxStoreContractTests
{
    private readonly string _directory = MigratedStores.NewSqliteDirectory();

    public override async Task InitializeAsync()
    {
        var connections = await MigratedStores.SqliteAsync(_directory);
        Store = new SqliteMailboxStore(connections);
        Accounts = new SqliteAccountStore(connections);
        Groups = new SqliteGroupStore(connections);
    }

    public override Task DisposeAsync()
    {
        MigratedStores.DeleteSqlite(_directory);
        return Task.CompletedTask;
    }
}
