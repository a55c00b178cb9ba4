using Chat.Domain.Devices;
using Dapper;
using Npgsql;

namespace Chat.Infrastructure.Postgres;

/// <summary>Devices and their mailboxes on PostgreSQL; every statement but the inactivity scan filters on user_id.</summary>
public sealed class PostgresDeviceStore(NpgsqlDataSource dataSource) : IDeviceStore
{
    private const string ListSql = """
        SELECT device_id AS DeviceId, name AS Name, created_at AS CreatedAt, last_seen_at AS LastSeenAt, push_provider AS PushProvider
        FROM devices WHERE user_id = @UserId ORDER BY device_id
        """;

    // The account row lock serialises links of one account, so two at once cannot both pass the limit.
    private const string LinkSql = """
        WITH account AS (
            UPDATE accounts SET last_device_id = last_device_id + 1
            WHERE user_id = @UserId
              AND (SELECT count(*) FROM devices WHERE user_id = @UserId AND device_id <> 1) < @MaxLinked
            RETURNING last_device_id
        ), device AS (
            INSERT INTO devices (user_id, device_id, name, created_at, last_seen_at)
            SELECT @UserId, last_device_id, @Name, @Now, @Now FROM account
            RETURNING device_id
        )
        INSERT INTO mailboxes (user_id, device_id, last_seq) SELECT @UserId, device_id, 0 FROM device
        RETURNING device_id
        """;

    public async Task<IReadOnlyList<Device>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(int DeviceId, string Name, DateTime CreatedAt, DateTime LastSeenAt, string? PushProvider)>(
            new CommandDefinition(ListSql, new { UserId = userId }, cancellationToken: cancellationToken));
        return rows.Select(r => new Device(r.DeviceId, r.Name, Utc(r.CreatedAt), Utc(r.LastSeenAt), r.PushProvider)).ToList();
    }

    public async Task<IReadOnlyDictionary<string, int[]>> DeviceIdsOfAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string UserId, int DeviceId)>(new CommandDefinition(
            // Joined to accounts: devices carry no foreign key (see 0005_devices.sql), and a deleted account has no devices.
            "SELECT d.user_id, d.device_id FROM devices d JOIN accounts a ON a.user_id = d.user_id WHERE d.user_id = ANY(@Ids) ORDER BY d.user_id, d.device_id",
            new { Ids = userIds.ToArray() },
            cancellationToken: cancellationToken));
        return rows.GroupBy(r => r.UserId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(r => r.DeviceId).ToArray(), StringComparer.Ordinal);
    }

    public async Task<Device?> LinkAsync(string userId, string name, int maxLinked, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Lock first, count after: the count then sees every link committed before ours.
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT 1 FROM accounts WHERE user_id = @UserId FOR UPDATE", new { UserId = userId }, transaction, cancellationToken: cancellationToken));
        var id = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            LinkSql, new { UserId = userId, Name = name, MaxLinked = maxLinked, Now = now }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return id is { } deviceId ? new Device(deviceId, name, now, now, null) : null;
    }

    public async Task<bool> RenameAsync(string userId, int deviceId, string name, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE devices SET name = @Name WHERE user_id = @UserId AND device_id = @DeviceId",
            new { UserId = userId, DeviceId = deviceId, Name = name },
            cancellationToken: cancellationToken)) > 0;
    }

    public async Task<bool> UnlinkAsync(string userId, int deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var args = new { UserId = userId, DeviceId = deviceId };
        // The mailbox row goes first: it waits for a send holding the row, whose envelopes the next delete then sees.
        var mailbox = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM mailboxes WHERE user_id = @UserId AND device_id = @DeviceId", args, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM envelopes WHERE user_id = @UserId AND device_id = @DeviceId", args, transaction, cancellationToken: cancellationToken));
        var device = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM devices WHERE user_id = @UserId AND device_id = @DeviceId", args, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return mailbox + device > 0;
    }

    public async Task TouchAsync(string userId, int deviceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE devices SET last_seen_at = @Now WHERE user_id = @UserId AND device_id = @DeviceId AND last_seen_at < @Now",
            new { UserId = userId, DeviceId = deviceId, Now = now },
            cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<(string UserId, int DeviceId)>> FindInactiveAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string UserId, int DeviceId)>(new CommandDefinition(
            "SELECT user_id, device_id FROM devices WHERE last_seen_at < @Before AND device_id <> 1 LIMIT @Limit",
            new { Before = before, Limit = limit },
            cancellationToken: cancellationToken));
        return rows.ToList();
    }

    public async Task<bool> SetPushTokenAsync(string userId, int deviceId, string? provider, string? token, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE devices SET push_provider = @Provider, push_token = @Token WHERE user_id = @UserId AND device_id = @DeviceId",
            new { UserId = userId, DeviceId = deviceId, Provider = provider, Token = token },
            cancellationToken: cancellationToken)) > 0;
    }

    public async Task<PushRegistration?> GetPushTokenAsync(string userId, int deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string? Provider, string? Token)>(new CommandDefinition(
            "SELECT push_provider, push_token FROM devices WHERE user_id = @UserId AND device_id = @DeviceId",
            new { UserId = userId, DeviceId = deviceId },
            cancellationToken: cancellationToken));
        return row is { Provider: { } provider, Token: { } token } ? new PushRegistration(userId, deviceId, provider, token) : null;
    }

    public async Task RemovePushTokenAsync(string userId, int deviceId, string token, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE devices SET push_provider = NULL, push_token = NULL WHERE user_id = @UserId AND device_id = @DeviceId AND push_token = @Token",
            new { UserId = userId, DeviceId = deviceId, Token = token },
            cancellationToken: cancellationToken));
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
