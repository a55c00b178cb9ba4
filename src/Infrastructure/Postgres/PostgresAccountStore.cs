using Chat.Domain.Accounts;
using Dapper;
using Npgsql;

namespace Chat.Infrastructure.Postgres;

public sealed class PostgresAccountStore(NpgsqlDataSource dataSource) : IAccountStore
{
    // Account, primary device and its mailbox share the user's shard, so registering is one single-shard statement.
    private const string CreateSql = """
        WITH account AS (
            INSERT INTO accounts (user_id, password_hash, created_at) VALUES (@UserId, @PasswordHash, @Now)
            ON CONFLICT (user_id) DO NOTHING
            RETURNING user_id
        ), device AS (
            INSERT INTO devices (user_id, device_id, name, created_at, last_seen_at)
            SELECT user_id, 1, 'primary', @Now, @Now FROM account
        )
        INSERT INTO mailboxes (user_id, device_id, last_seq) SELECT user_id, 1, 0 FROM account
        RETURNING user_id
        """;

    public async Task<bool> CreateAsync(string userId, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var created = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            CreateSql, new { UserId = userId, PasswordHash = passwordHash, Now = now }, cancellationToken: cancellationToken));
        return created is not null;
    }

    public async Task<string?> GetPasswordHashAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT password_hash FROM accounts WHERE user_id = @UserId", new { UserId = userId }, cancellationToken: cancellationToken));
    }

    public async Task<bool> ExistsAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT 1 FROM accounts WHERE user_id = @UserId", new { UserId = userId }, cancellationToken: cancellationToken)) is not null;
    }
}
