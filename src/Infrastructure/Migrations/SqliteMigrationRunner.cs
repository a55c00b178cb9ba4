using Chat.Infrastructure.Sqlite;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Chat.Infrastructure.Migrations;

/// <summary>Applies migrations/sqlite in order to the embedded database.</summary>
public sealed class SqliteMigrationRunner(SqliteConnectionFactory connections, ILogger<SqliteMigrationRunner> logger)
{
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)",
            cancellationToken: cancellationToken));
        var applied = (await connection.QueryAsync<string>(new CommandDefinition("SELECT version FROM schema_migrations", cancellationToken: cancellationToken)))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (version, sql) in MigrationScripts.Load("sqlite").Where(s => !applied.Contains(s.Version)))
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version) VALUES (@Version)", new { Version = version }, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Applied migration {Version}", version);
        }
    }
}
