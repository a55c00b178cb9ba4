namespace Chat.Domain.Contacts;

/// <summary>
/// Address book edges, stored twice (by owner and by contact) so that both directions are single-shard reads,
/// plus each user's presence settings and last-seen time.
/// </summary>
public interface IContactStore
{
    /// <summary>
    /// Replaces the owner's address book with the registered users among <paramref name="candidateIds"/>
    /// (distinct, without the owner) in one transaction, and returns those registered ids in the given order.
    /// </summary>
    Task<IReadOnlyList<string>> ReplaceAsync(string ownerId, IReadOnlyList<string> candidateIds, CancellationToken cancellationToken);

    /// <summary>The owner's contacts, ordered by id.</summary>
    Task<IReadOnlyList<string>> ListAsync(string ownerId, CancellationToken cancellationToken);

    /// <summary>Removes one edge in both directions; false when it was not there.</summary>
    Task<bool> RemoveAsync(string ownerId, string contactId, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the users who have <paramref name="userId"/> in their address book, ordered by id, after
    /// <paramref name="afterOwnerId"/>. With <paramref name="mutualOnly"/>, only those that <paramref name="userId"/>
    /// also has in their own book.
    /// </summary>
    Task<IReadOnlyList<string>> GetWatchersAsync(string userId, bool mutualOnly, string? afterOwnerId, int limit, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="ownerIds"/> have <paramref name="contactId"/> in their address book (one read in the contact's shard).</summary>
    Task<IReadOnlySet<string>> GetOwnersAmongAsync(string contactId, IReadOnlyCollection<string> ownerIds, CancellationToken cancellationToken);

    /// <summary>The stored settings of those users that have any; others have <see cref="PresenceSettings.Default"/>.</summary>
    Task<IReadOnlyDictionary<string, PresenceSettings>> GetSettingsAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken);

    Task SetPrivacyAsync(string userId, LastSeenPrivacy privacy, CancellationToken cancellationToken);

    Task SetLastSeenAsync(string userId, DateTimeOffset lastSeen, CancellationToken cancellationToken);
}
