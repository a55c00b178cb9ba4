namespace Chat.Domain.Presence;

/// <summary>
/// Which users have at least one open connection, on any node. The Redis implementation shares this
/// between nodes and expires the connections of a node that stops heartbeating; the in-process one serves
/// a single node.
/// </summary>
public interface IPresenceRegistry
{
    /// <summary>Records a connection; true when it is the user's first (the user came online).</summary>
    Task<bool> AddConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken);

    /// <summary>Forgets a connection; true when it was the user's last (the user went offline).</summary>
    Task<bool> RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken);

    /// <summary>How many connections the user has open on all nodes (those of a dead node until it is reaped).</summary>
    Task<long> CountConnectionsAsync(string userId, CancellationToken cancellationToken);

    /// <summary>The users among <paramref name="userIds"/> that are online.</summary>
    Task<IReadOnlySet<string>> GetOnlineAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken);

    /// <summary>Tells the other nodes that this one is alive; returns the changes caused by re-registering this node's connections, if it had to.</summary>
    Task<IReadOnlyList<PresenceChange>> HeartbeatAsync(CancellationToken cancellationToken);

    /// <summary>Removes the connections of nodes that stopped heartbeating; returns the users that went offline.</summary>
    Task<IReadOnlyList<PresenceChange>> ReapAsync(CancellationToken cancellationToken);
}
