using Dapper;
using Npgsql;

namespace Chat.Infrastructure.Postgres;

/// <summary>Whether the database behind a connection is a Citus cluster (the extension is installed).</summary>
public static class CitusExtension
{
    public static async Task<bool> IsInstalledAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')", cancellationToken: cancellationToken));
}
