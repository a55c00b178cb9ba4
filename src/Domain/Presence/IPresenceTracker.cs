namespace Chat.Domain.Presence;

/// <summary>Told when a hub connection opens or closes, so presence can follow a user's first and last connection.</summary>
public interface IPresenceTracker
{
    Task ConnectedAsync(string userId, string connectionId, CancellationToken cancellationToken);

    Task DisconnectedAsync(string userId, string connectionId, CancellationToken cancellationToken);
}
