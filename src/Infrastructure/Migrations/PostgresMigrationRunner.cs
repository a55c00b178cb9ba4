using Chat.Infrastructure.Postgres;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Chat.Infrastructure.Migrations;

/// <summary>
/// Applies migrations/postgres in order, then migrations/citus when the citus extension is installed.
/// An advisory lock lets any number of nodes start at once: one migrates, the others wait and find it done.
/// </summary>
public sealed class PostgresMigrationRunner(NpgsqlDataSource dataSource, ILogger<PostgresMigrationRunner> logger)
{
    private const long LockKey = 0x6368_6174_6d69_67; // "chatmig"

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: cancellationToken));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                cancellationToken: cancellationToken));
            var applied = (await connection.QueryAsync<string>(new CommandDefinition("SELECT version FROM schema_migrations", cancellationToken: cancellationToken)))
                .ToHashSet(StringComparer.Ordinal);

            await ApplyAsync(connection, MigrationScripts.Load("postgres"), applied, inTransaction: true, cancellationToken);

            if (await CitusExtension.IsInstalledAsync(connection, cancellationToken))
            {
                // create_distributed_table moves data between nodes; run each script on its own, outside a transaction block.
                await ApplyAsync(connection, MigrationScripts.Load("citus"), applied, inTransaction: false, cancellationToken);
            }
            else
            {
                logger.LogInformation("Citus extension not installed: tables stay local (unsharded)");
            }
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@LockKey)", new { LockKey }, cancellationToken: CancellationToken.None));
        }
    }

    private async Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<(string Version, string Sql)> scripts, HashSet<string> applied, bool inTransaction, CancellationToken cancellationToken)
    {
        foreach (var (version, sql) in scripts.Where(s => !applied.Contains(s.Version)))
        {
            await using var transaction = inTransaction ? await connection.BeginTransactionAsync(cancellationToken) : null;
            await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version) VALUES (@Version)", new { Version = version }, transaction, cancellationToken: cancellationToken));
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }

            logger.LogInformation("Applied migration {Version}", version);
        }
    }
}
