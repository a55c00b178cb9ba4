using Chat.Domain.Presence;

namespace Chat.Hubs.Chat;

/// <summary>Used until a presence service is registered.</summary>
public sealed class NoPresenceTracker : IPresenceTracker
{
    public Task ConnectedAsync(string userId, string connectionId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DisconnectedAsync(string userId, string connectionId, CancellationToken cancellationToken) => Task.CompletedTask;
}
