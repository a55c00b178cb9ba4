using Chat.Domain.Contacts;
using Dapper;

namespace Chat.Infrastructure.Sqlite;

/// <summary>Address book and presence settings in the embedded database; the same contract as the PostgreSQL store.</summary>
public sealed class SqliteContactStore(SqliteConnectionFactory connections) : IContactStore
{
    // Well below SQLite's limit on bound variables (32766 in current builds, 999 in old ones).
    private const int MaxVariables = 900;

    private const string WatchersSql = """
        SELECT owner_id FROM contact_of
        WHERE user_id = @UserId AND (@After IS NULL OR owner_id > @After)
        ORDER BY owner_id
        LIMIT @Limit
        """;

    private const string MutualWatchersSql = """
        SELECT co.owner_id FROM contact_of co
        JOIN contacts c ON c.user_id = co.user_id AND c.contact_id = co.owner_id
        WHERE co.user_id = @UserId AND (@After IS NULL OR co.owner_id > @After)
        ORDER BY co.owner_id
        LIMIT @Limit
        """;

    public async Task<IReadOnlyList<string>> ReplaceAsync(string ownerId, IReadOnlyList<string> candidateIds, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        // Immediate: the write lock is taken now, so concurrent uploads run one after the other.
        await using var transaction = connection.BeginTransaction(deferred: false);
        var registered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in candidateIds.Chunk(MaxVariables))
        {
            registered.UnionWith(await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT user_id FROM accounts WHERE user_id IN @Ids", new { Ids = chunk }, transaction, cancellationToken: cancellationToken)));
        }

        var previous = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT contact_id FROM contacts WHERE user_id = @Owner", new { Owner = ownerId }, transaction, cancellationToken: cancellationToken)))
            .ToHashSet(StringComparer.Ordinal);
        var removed = previous.Where(id => !registered.Contains(id)).Select(id => new { Owner = ownerId, Contact = id }).ToList();
        var added = registered.Where(id => !previous.Contains(id)).Select(id => new { Owner = ownerId, Contact = id }).ToList();

        // Dapper runs a command once per element of a list argument.
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM contacts WHERE user_id = @Owner AND contact_id = @Contact", removed, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM contact_of WHERE user_id = @Contact AND owner_id = @Owner", removed, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO contacts (user_id, contact_id) VALUES (@Owner, @Contact) ON CONFLICT DO NOTHING", added, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO contact_of (user_id, owner_id) VALUES (@Contact, @Owner) ON CONFLICT DO NOTHING", added, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return candidateIds.Where(registered.Contains).ToList();
    }

    public async Task<IReadOnlyList<string>> ListAsync(string ownerId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT contact_id FROM contacts WHERE user_id = @Owner ORDER BY contact_id", new { Owner = ownerId }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<bool> RemoveAsync(string ownerId, string contactId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
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
        await using var connection = await connections.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            mutualOnly ? MutualWatchersSql : WatchersSql,
            new { UserId = userId, After = afterOwnerId, Limit = limit },
            cancellationToken: cancellationToken))).AsList();
    }

    public async Task<IReadOnlySet<string>> GetOwnersAmongAsync(string contactId, IReadOnlyCollection<string> ownerIds, CancellationToken cancellationToken)
    {
        var owners = new HashSet<string>(StringComparer.Ordinal);
        if (ownerIds.Count == 0)
        {
            return owners;
        }

        await using var connection = await connections.OpenAsync(cancellationToken);
        foreach (var chunk in ownerIds.Chunk(MaxVariables))
        {
            owners.UnionWith(await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT owner_id FROM contact_of WHERE user_id = @Contact AND owner_id IN @Owners",
                new { Contact = contactId, Owners = chunk },
                cancellationToken: cancellationToken)));
        }

        return owners;
    }

    public async Task<IReadOnlyDictionary<string, PresenceSettings>> GetSettingsAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, PresenceSettings>(StringComparer.Ordinal);
        if (userIds.Count == 0)
        {
            return settings;
        }

        await using var connection = await connections.OpenAsync(cancellationToken);
        foreach (var chunk in userIds.Chunk(MaxVariables))
        {
            var rows = await connection.QueryAsync<(string UserId, long Privacy, long? LastSeen)>(new CommandDefinition(
                "SELECT user_id, last_seen_privacy, last_seen_at FROM user_settings WHERE user_id IN @Ids", new { Ids = chunk }, cancellationToken: cancellationToken));
            foreach (var row in rows)
            {
                settings[row.UserId] = new PresenceSettings((LastSeenPrivacy)row.Privacy, row.LastSeen is { } seen ? UnixTime.FromMs(seen) : null);
            }
        }

        return settings;
    }

    public async Task SetPrivacyAsync(string userId, LastSeenPrivacy privacy, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO user_settings (user_id, last_seen_privacy) VALUES (@UserId, @Privacy)
            ON CONFLICT (user_id) DO UPDATE SET last_seen_privacy = excluded.last_seen_privacy
            """,
            new { UserId = userId, Privacy = (long)privacy },
            cancellationToken: cancellationToken));
    }

    public async Task SetLastSeenAsync(string userId, DateTimeOffset lastSeen, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO user_settings (user_id, last_seen_at) VALUES (@UserId, @LastSeen)
            ON CONFLICT (user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at
            """,
            new { UserId = userId, LastSeen = UnixTime.ToMs(lastSeen) },
            cancellationToken: cancellationToken));
    }
}
