using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Hubs.Chat;

/// <summary>The hub sessions open on this node, so a graceful shutdown can close them after the node has drained.</summary>
public sealed class OpenSessions
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    internal void Add(HubCallerContext context) => _sessions[context.ConnectionId] = context;

    internal void Remove(HubCallerContext context) => _sessions.TryRemove(context.ConnectionId, out _);

    /// <summary>
    /// Drops every open session's transport; the clients reconnect (through the load balancer, to another node) and
    /// sync. The transport is cut rather than closed with a hub close message: SignalR clients do not reconnect
    /// automatically after a close message that does not allow it, and the server has no public way to allow it.
    /// </summary>
    public int AbortAll()
    {
        var aborted = 0;
        foreach (var session in _sessions.Values)
        {
            if (session.GetHttpContext() is { } http)
            {
                http.Abort();
            }
            else
            {
                session.Abort();
            }

            aborted++;
        }

        return aborted;
    }
}
