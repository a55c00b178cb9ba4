using Chat.Domain.Accounts;
using Dapper;

namespace Chat.Infrastructure.Sqlite;

public sealed class SqliteAccountStore(SqliteConnectionFactory connections) : IAccountStore
{
    public async Task<bool> CreateAsync(string userId, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var created = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO accounts (user_id, password_hash, created_at) VALUES (@UserId, @PasswordHash, @Now) ON CONFLICT (user_id) DO NOTHING",
            new { UserId = userId, PasswordHash = passwordHash, Now = UnixTime.ToMs(now) },
            transaction,
            cancellationToken: cancellationToken));
        if (created == 0)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO devices (user_id, device_id, name, created_at, last_seen_at) VALUES (@UserId, 1, 'primary', @Now, @Now);
            INSERT INTO mailboxes (user_id, device_id, last_seq) VALUES (@UserId, 1, 0);
            """,
            new { UserId = userId, Now = UnixTime.ToMs(now) },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<string?> GetPasswordHashAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT password_hash FROM accounts WHERE user_id = @UserId", new { UserId = userId }, cancellationToken: cancellationToken));
    }

    public async Task<bool> ExistsAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM accounts WHERE user_id = @UserId", new { UserId = userId }, cancellationToken: cancellationToken)) is not null;
    }
}
