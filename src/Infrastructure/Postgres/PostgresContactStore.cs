using Chat.Domain.Contacts;
using Dapper;
using Npgsql;

namespace Chat.Infrastructure.Postgres;

/// <summary>
/// Address book and presence settings on PostgreSQL/Citus. contacts rows live in the owner's shard,
/// contact_of rows in the contact's shard and user_settings in the user's shard; every statement names
/// the user_id it touches.
/// </summary>
public sealed class PostgresContactStore(NpgsqlDataSource dataSource) : IContactStore
{
    private const string WatchersSql = """
        SELECT owner_id FROM contact_of
        WHERE user_id = @UserId AND (@After::text IS NULL OR owner_id > @After)
        ORDER BY owner_id
        LIMIT @Limit
        """;

    // contacts and contact_of are colocated on user_id, so this join stays inside the user's shard.
    private const string MutualWatchersSql = """
        SELECT co.owner_id FROM contact_of co
        JOIN contacts c ON c.user_id = co.user_id AND c.contact_id = co.owner_id
        WHERE co.user_id = @UserId AND (@After::text IS NULL OR co.owner_id > @After)
        ORDER BY co.owner_id
        LIMIT @Limit
        """;

    public async Task<IReadOnlyList<string>> ReplaceAsync(string ownerId, IReadOnlyList<string> candidateIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Serialises concurrent uploads by one owner on a row of the owner's own shard.
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT 1 FROM accounts WHERE user_id = @Owner FOR NO KEY UPDATE", new { Owner = ownerId }, transaction, cancellationToken: cancellationToken));

        var registered = candidateIds.Count == 0
            ? new HashSet<string>(StringComparer.Ordinal)
            : (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT user_id FROM accounts WHERE user_id = ANY(@Ids)", new { Ids = candidateIds.ToArray() }, transaction, cancellationToken: cancellationToken)))
                .ToHashSet(StringComparer.Ordinal);
        var previous = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT contact_id FROM contacts WHERE user_id = @Owner", new { Owner = ownerId }, transaction, cancellationToken: cancellationToken)))
            .ToHashSet(StringComparer.Ordinal);

        // Only the difference is written, so re-uploading an unchanged book touches no other shard.
        var removed = previous.Where(id => !registered.Contains(id)).ToArray();
        var added = registered.Where(id => !previous.Contains(id)).ToArray();
        if (removed.Length > 0)
        {
            var args = new { Owner = ownerId, Ids = removed };
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM contacts WHERE user_id = @Owner AND contact_id = ANY(@Ids)", args, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM contact_of WHERE user_id = ANY(@Ids) AND owner_id = @Owner", args, transaction, cancellationToken: cancellationToken));
        }

        if (added.Length > 0)
        {
            var args = new { Owner = ownerId, Ids = added };
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO contacts (user_id, contact_id) SELECT @Owner, unnest(@Ids) ON CONFLICT DO NOTHING", args, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO contact_of (user_id, owner_id) SELECT unnest(@Ids), @Owner ON CONFLICT DO NOTHING", args, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return candidateIds.Where(registered.Contains).ToList();
    }

    public async Task<IReadOnlyList<string>> ListAsync(string ownerId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT contact_id FROM contacts WHERE user_id = @Owner ORDER BY contact_id", new { Owner = ownerId }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<bool> RemoveAsync(string ownerId, string contactId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var args = new { Owner = ownerId, Contact = contactId };
        var removed = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM contacts WHERE user_id = @Owner AND contact_id = @Contact", args, transaction, cancellationToken: cancellationToken));
        if (removed == 0)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM contact_of WHERE user_id = @Contact AND owner_id = @Owner", args, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<string>> GetWatchersAsync(string userId, bool mutualOnly, string? afterOwnerId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            mutualOnly ? MutualWatchersSql : WatchersSql,
            new { UserId = userId, After = afterOwnerId, Limit = limit },
            cancellationToken: cancellationToken))).AsList();
    }

    public async Task<IReadOnlySet<string>> GetOwnersAmongAsync(string contactId, IReadOnlyCollection<string> ownerIds, CancellationToken cancellationToken)
    {
        if (ownerIds.Count == 0)
        {
            return new HashSet<string>();
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT owner_id FROM contact_of WHERE user_id = @Contact AND owner_id = ANY(@Owners)",
            new { Contact = contactId, Owners = ownerIds.ToArray() },
            cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
    }

    public async Task<IReadOnlyDictionary<string, PresenceSettings>> GetSettingsAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0)
        {
            return new Dictionary<string, PresenceSettings>();
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string UserId, short Privacy, DateTime? LastSeen)>(new CommandDefinition(
            "SELECT user_id, last_seen_privacy, last_seen_at FROM user_settings WHERE user_id = ANY(@Ids)",
            new { Ids = userIds.ToArray() },
            cancellationToken: cancellationToken));
        return rows.ToDictionary(
            r => r.UserId,
            r => new PresenceSettings((LastSeenPrivacy)r.Privacy, r.LastSeen is { } seen ? new DateTimeOffset(DateTime.SpecifyKind(seen, DateTimeKind.Utc)) : null),
            StringComparer.Ordinal);
    }

    public async Task SetPrivacyAsync(string userId, LastSeenPrivacy privacy, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO user_settings (user_id, last_seen_privacy) VALUES (@UserId, @Privacy)
            ON CONFLICT (user_id) DO UPDATE SET last_seen_privacy = excluded.last_seen_privacy
            """,
            new { UserId = userId, Privacy = (short)privacy },
            cancellationToken: cancellationToken));
    }

    public async Task SetLastSeenAsync(string userId, DateTimeOffset lastSeen, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO user_settings (user_id, last_seen_at) VALUES (@UserId, @LastSeen)
            ON CONFLICT (user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at
            """,
            new { UserId = userId, LastSeen = lastSeen },
            cancellationToken: cancellationToken));
    }
}
