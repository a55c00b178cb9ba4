using Chat.Infrastructure.Migrations;
using Chat.Infrastructure.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Chat.IntegrationTests.Infrastructure;

/// <summary>Fresh, migrated databases for the store contract tests, one of each kind.</summary>
public static class MigratedStores
{
    public static async Task<NpgsqlDataSource> PostgresAsync(string prefix)
    {
        var dataSource = NpgsqlDataSource.Create(await TestServers.CreateDatabaseAsync(prefix));
        await new PostgresMigrationRunner(dataSource, NullLogger<PostgresMigrationRunner>.Instance).MigrateAsync(default);
        return dataSource;
    }

    public static async Task<SqliteConnectionFactory> SqliteAsync(string directory)
    {
        var connections = SqliteConnectionFactory.ForDirectory(directory);
        await new SqliteMigrationRunner(connections, NullLogger<SqliteMigrationRunner>.Instance).MigrateAsync(default);
        return connections;
    }

    public static string NewSqliteDirectory() => Path.Combine(Path.GetTempPath(), "chat-sqlite-tests", Guid.NewGuid().ToString("N"));

    public static void DeleteSqlite(string directory)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }
}
