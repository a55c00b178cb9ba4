using Npgsql;

namespace Chat.IntegrationTests.Infrastructure;

/// <summary>
/// The real PostgreSQL and Redis that scripts/test.sh starts, named by CHAT_TEST_POSTGRES and CHAT_TEST_REDIS.
/// Tests fail (not skip) without them: a suite that passes without its servers would prove nothing.
/// </summary>
public static class TestServers
{
    public static string PostgresAdmin => Environment.GetEnvironmentVariable("CHAT_TEST_POSTGRES")
        ?? throw new InvalidOperationException("CHAT_TEST_POSTGRES is not set: run the tests with scripts/test.sh (or scripts/test.sh --servers-only).");

    public static string Redis => Environment.GetEnvironmentVariable("CHAT_TEST_REDIS")
        ?? throw new InvalidOperationException("CHAT_TEST_REDIS is not set: run the tests with scripts/test.sh (or scripts/test.sh --servers-only).");

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using (var admin = new NpgsqlConnection(PostgresAdmin))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = name, MaxPoolSize = 50 }.ToString();
    }
}
