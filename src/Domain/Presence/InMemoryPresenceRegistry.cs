namespace Chat.Domain.Presence;

/// <summary>Presence of a single node (the embedded default without Redis): the connections live in this process.</summary>
public sealed class InMemoryPresenceRegistry : IPresenceRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<string>> _connections = new(StringComparer.Ordinal);

    public Task<bool> AddConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_connections.TryGetValue(userId, out var set))
            {
                set = new HashSet<string>(StringComparer.Ordinal);
                _connections[userId] = set;
            }

            return Task.FromResult(set.Add(connectionId) && set.Count == 1);
        }
    }

    public Task<bool> RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_connections.TryGetValue(userId, out var set) || !set.Remove(connectionId) || set.Count > 0)
            {
                return Task.FromResult(false);
            }

            _connections.Remove(userId);
            return Task.FromResult(true);
        }
    }

    public Task<long> CountConnectionsAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_connections.TryGetValue(userId, out var set) ? (long)set.Count : 0);
        }
    }

    public Task<IReadOnlySet<string>> GetOnlineAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        var online = new HashSet<string>(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var id in userIds)
            {
                if (_connections.ContainsKey(id))
                {
                    online.Add(id);
                }
            }
        }

        return Task.FromResult<IReadOnlySet<string>>(online);
    }

    public Task<IReadOnlyList<PresenceChange>> HeartbeatAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<PresenceChange>>([]);

    public Task<IReadOnlyList<PresenceChange>> ReapAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<PresenceChange>>([]);
}
