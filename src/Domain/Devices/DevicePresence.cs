using Chat.Domain.Presence;

namespace Chat.Domain.Devices;

/// <summary>
/// Which devices have a live session on any node: a presence registry of its own (Redis keys apart from user
/// presence), keyed by device address. The push hook wakes only devices found offline here, and the inactivity
/// sweep keeps linked devices found online. Primary devices are tracked only when <paramref name="trackPrimary"/>
/// (the push hook is on): otherwise nothing asks about them, and an account with one device connects at the cost it
/// had before devices existed.
/// </summary>
public sealed class DevicePresence(IPresenceRegistry registry, bool trackPrimary)
{
    public IPresenceRegistry Registry => registry;

    public Task ConnectedAsync(string userId, int deviceId, string connectionId, CancellationToken cancellationToken) =>
        Tracks(deviceId) ? registry.AddConnectionAsync(DeviceIds.AddressOf(userId, deviceId), connectionId, cancellationToken) : Task.CompletedTask;

    public Task DisconnectedAsync(string userId, int deviceId, string connectionId, CancellationToken cancellationToken) =>
        Tracks(deviceId) ? registry.RemoveConnectionAsync(DeviceIds.AddressOf(userId, deviceId), connectionId, cancellationToken) : Task.CompletedTask;

    private bool Tracks(int deviceId) => trackPrimary || deviceId != DeviceIds.Primary;

    /// <summary>The addresses among <paramref name="addresses"/> with a live session.</summary>
    public Task<IReadOnlySet<string>> OnlineAsync(IReadOnlyCollection<string> addresses, CancellationToken cancellationToken) =>
        registry.GetOnlineAsync(addresses, cancellationToken);
}
