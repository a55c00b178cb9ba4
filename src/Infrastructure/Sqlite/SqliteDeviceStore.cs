using Chat.Domain.Devices;
using Dapper;

namespace Chat.Infrastructure.Sqlite;

/// <summary>Devices and their mailboxes in the embedded store; times are Unix milliseconds.</summary>
public sealed class SqliteDeviceStore(SqliteConnectionFactory connections) : IDeviceStore
{
    public async Task<IReadOnlyList<Device>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long DeviceId, string Name, long CreatedAt, long LastSeenAt, string? PushProvider)>(new CommandDefinition(
            "SELECT device_id, name, created_at, last_seen_at, push_provider FROM devices WHERE user_id = @UserId ORDER BY device_id",
            new { UserId = userId },
            cancellationToken: cancellationToken));
        return rows.Select(r => new Device((int)r.DeviceId, r.Name, UnixTime.FromMs(r.CreatedAt), UnixTime.FromMs(r.LastSeenAt), r.PushProvider)).ToList();
    }

    public async Task<IReadOnlyDictionary<string, int[]>> DeviceIdsOfAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string UserId, long DeviceId)>(new CommandDefinition(
            "SELECT d.user_id, d.device_id FROM devices d JOIN accounts a ON a.user_id = d.user_id WHERE d.user_id IN @Ids ORDER BY d.user_id, d.device_id",
            new { Ids = userIds.ToArray() },
            cancellationToken: cancellationToken));
        return rows.GroupBy(r => r.UserId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(r => (int)r.DeviceId).ToArray(), StringComparer.Ordinal);
    }

    public async Task<Device?> LinkAsync(string userId, string name, int maxLinked, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var linked = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM devices WHERE user_id = @UserId AND device_id <> 1", new { UserId = userId }, transaction, cancellationToken: cancellationToken));
        if (linked >= maxLinked)
        {
            return null;
        }

        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "UPDATE accounts SET last_device_id = last_device_id + 1 WHERE user_id = @UserId RETURNING last_device_id",
            new { UserId = userId },
            transaction,
            cancellationToken: cancellationToken));
        if (id is not { } deviceId)
        {
            return null;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO devices (user_id, device_id, name, created_at, last_seen_at) VALUES (@UserId, @DeviceId, @Name, @Now, @Now);
            INSERT INTO mailboxes (user_id, device_id, last_seq) VALUES (@UserId, @DeviceId, 0);
            """,
            new { UserId = userId, DeviceId = deviceId, Name = name, Now = UnixTime.ToMs(now) },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new Device((int)deviceId, name, now, now, null);
    }

    public async Task<bool> RenameAsync(string userId, int deviceId, string name, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE devices SET name = @Name WHERE user_id = @UserId AND device_id = @DeviceId",
            new { UserId = userId, DeviceId = deviceId, Name = name },
            cancellationToken: cancellationToken)) > 0;
    }

    public async Task<bool> UnlinkAsync(string userId, int deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var args = new { UserId = userId, DeviceId = deviceId };
        var removed = await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM mailboxes WHERE user_id = @UserId AND device_id = @DeviceId;
            DELETE FROM envelopes WHERE user_id = @UserId AND device_id = @DeviceId;
            """,
            args,
            transaction,
            cancellationToken: cancellationToken));
        var device = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM devices WHERE user_id = @UserId AND device_id = @DeviceId", args, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return removed + device > 0;
    }

    public async Task TouchAsync(string userId, int deviceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE devices SET last_seen_at = @Now WHERE user_id = @UserId AND device_id = @DeviceId AND last_seen_at < @Now",
            new { UserId = userId, DeviceId = deviceId, Now = UnixTime.ToMs(now) },
            cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<(string UserId, int DeviceId)>> FindInactiveAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string UserId, long DeviceId)>(new CommandDefinition(
            "SELECT user_id, device_id FROM devices WHERE last_seen_at < @Before AND device_id <> 1 LIMIT @Limit",
            new { Before = UnixTime.ToMs(before), Limit = limit },
            cancellationToken: cancellationToken));
        return rows.Select(r => (r.UserId, (int)r.DeviceId)).ToList();
    }

    public async Task<bool> SetPushTokenAsync(string userId, int deviceId, string? provider, string? token, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE devices SET push_provider = @Provider, push_token = @Token WHERE user_id = @UserId AND device_id = @DeviceId",
            new { UserId = userId, DeviceId = deviceId, Provider = provider, Token = token },
            cancellationToken: cancellationToken)) > 0;
    }

    public async Task<PushRegistration?> GetPushTokenAsync(string userId, int deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string? Provider, string? Token)>(new CommandDefinition(
            "SELECT push_provider, push_token FROM devices WHERE user_id = @UserId AND device_id = @DeviceId",
            new { UserId = userId, DeviceId = deviceId },
            cancellationToken: cancellationToken));
        return row is { Provider: { } provider, Token: { } token } ? new PushRegistration(userId, deviceId, provider, token) : null;
    }

    public async Task RemovePushTokenAsync(string userId, int deviceId, string token, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE devices SET push_provider = NULL, push_token = NULL WHERE user_id = @UserId AND device_id = @DeviceId AND push_token = @Token",
            new { UserId = userId, DeviceId = deviceId, Token = token },
            cancellationToken: cancellationToken));
    }
}
