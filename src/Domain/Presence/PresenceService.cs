using Chat.Domain.Contacts;
using Chat.Domain.Errors;
using Chat.Domain.Identity;

namespace Chat.Domain.Presence;

/// <summary>
/// Online status and last seen. Follows each user's first and last connection through
/// <see cref="IPresenceRegistry"/>, queues the change, and publishes it to the watchers that the user's
/// privacy allows (those who have the user in their address book; with "contacts", only those the user has
/// too; with "nobody", none) and that are online. Nothing here is ever stored as a message.
/// </summary>
public sealed class PresenceService(
    IPresenceRegistry registry,
    IContactStore contacts,
    IPresenceNotifier notifier,
    PresenceQueue queue,
    PresenceOptions options,
    PresenceMetrics metrics,
    TimeProvider time) : IPresenceTracker
{
    public async Task ConnectedAsync(string userId, string connectionId, CancellationToken cancellationToken)
    {
        if (await registry.AddConnectionAsync(userId, connectionId, cancellationToken))
        {
            queue.Post(new PresenceChange(userId, true, time.GetUtcNow()));
        }
    }

    public async Task DisconnectedAsync(string userId, string connectionId, CancellationToken cancellationToken)
    {
        if (await registry.RemoveConnectionAsync(userId, connectionId, cancellationToken))
        {
            queue.Post(new PresenceChange(userId, false, time.GetUtcNow()));
        }
    }

    /// <summary>How many connections the user has open on all nodes.</summary>
    public Task<long> CountConnectionsAsync(string userId, CancellationToken cancellationToken) => registry.CountConnectionsAsync(userId, cancellationToken);

    /// <summary>Records last seen (for an offline change) and pushes the change to the allowed, online watchers.</summary>
    public async Task PublishAsync(PresenceChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (!change.Online)
        {
            await contacts.SetLastSeenAsync(change.UserId, change.At, cancellationToken);
        }

        // Two nodes may publish one user's changes out of order. A change the registry no longer agrees with
        // is skipped: the change that superseded it is published after it, so watchers end on the latest state.
        var online = (await registry.GetOnlineAsync([change.UserId], cancellationToken)).Count > 0;
        if (online != change.Online)
        {
            return;
        }

        var settings = await contacts.GetSettingsAsync([change.UserId], cancellationToken);
        var privacy = settings.TryGetValue(change.UserId, out var found) ? found.Privacy : PresenceSettings.Default.Privacy;
        if (privacy == LastSeenPrivacy.Nobody)
        {
            return;
        }

        var view = new PresenceView(change.UserId, change.Online, change.Online ? null : change.At);
        string? after = null;
        do
        {
            var watchers = await contacts.GetWatchersAsync(change.UserId, privacy == LastSeenPrivacy.Contacts, after, options.WatcherPageSize, cancellationToken);
            var reachable = await registry.GetOnlineAsync(watchers, cancellationToken);
            if (reachable.Count > 0)
            {
                await notifier.PresenceChangedAsync(watchers.Where(reachable.Contains).ToList(), view, cancellationToken);
            }

            after = watchers.Count == options.WatcherPageSize ? watchers[^1] : null;
        }
        while (after is not null);

        metrics.ChangePublished();
    }

    /// <summary>The presence of each distinct id, in request order, as <paramref name="viewerId"/> may see it.</summary>
    public async Task<IReadOnlyList<PresenceView>> GetPresenceAsync(string viewerId, IReadOnlyList<string?>? userIds, CancellationToken cancellationToken)
    {
        if (userIds is null)
        {
            throw ChatException.Invalid("'userIds' is required.");
        }

        if (userIds.Count > options.MaxQueryUsers)
        {
            throw ChatException.Invalid($"'userIds' may hold at most {options.MaxQueryUsers} ids.");
        }

        var ids = new List<string>(userIds.Count);
        foreach (var id in userIds)
        {
            if (!UserId.IsValid(id))
            {
                throw ChatException.Invalid($"every user id must match {UserId.Pattern}.");
            }

            ids.Add(id);
        }

        ids = ids.Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        var settings = await contacts.GetSettingsAsync(ids, cancellationToken);
        PresenceSettings SettingsOf(string id) => settings.TryGetValue(id, out var s) ? s : PresenceSettings.Default;

        var contactsOnly = ids.Where(id => id != viewerId && SettingsOf(id).Privacy == LastSeenPrivacy.Contacts).ToList();
        var allowing = contactsOnly.Count > 0
            ? await contacts.GetOwnersAmongAsync(viewerId, contactsOnly, cancellationToken)
            : new HashSet<string>();

        bool Visible(string id) => id == viewerId || SettingsOf(id).Privacy switch
        {
            LastSeenPrivacy.Everyone => true,
            LastSeenPrivacy.Contacts => allowing.Contains(id),
            _ => false,
        };

        var visible = ids.Where(Visible).ToList();
        var online = visible.Count > 0 ? await registry.GetOnlineAsync(visible, cancellationToken) : new HashSet<string>();
        return ids.Select(id => !Visible(id)
                ? new PresenceView(id, null, null)
                : online.Contains(id)
                    ? new PresenceView(id, true, null)
                    : new PresenceView(id, false, SettingsOf(id).LastSeen))
            .ToList();
    }
}
