using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Hubs.Chat;

/// <summary>
/// The live hub connections on this node by device address, so an unlinked device's sessions can be closed and the
/// push hook can tell whether a device is connected here.
/// </summary>
public sealed class DeviceSessions
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, HubCallerContext>> _byAddress = new(StringComparer.Ordinal);

    public void Add(string address, HubCallerContext context) =>
        _byAddress.GetOrAdd(address, _ => new ConcurrentDictionary<string, HubCallerContext>(StringComparer.Ordinal))[context.ConnectionId] = context;

    public void Remove(string address, string connectionId)
    {
        if (_byAddress.TryGetValue(address, out var connections) && connections.TryRemove(connectionId, out _) && connections.IsEmpty)
        {
            // Only removes the entry if it is still this (empty) dictionary; a concurrent Add re-creates it.
            _byAddress.TryRemove(new KeyValuePair<string, ConcurrentDictionary<string, HubCallerContext>>(address, connections));
        }
    }

    public bool IsConnected(string address) => _byAddress.TryGetValue(address, out var connections) && !connections.IsEmpty;

    /// <summary>Closes every connection of <paramref name="address"/> on this node; returns how many.</summary>
    public int Close(string address)
    {
        if (!_byAddress.TryRemove(address, out var connections))
        {
            return 0;
        }

        foreach (var context in connections.Values)
        {
            context.Abort();
        }

        return connections.Count;
    }
}
