using Chat.Domain.Presence;

namespace Chat.Domain.Devices;

/// <summary>
/// Which devices have a live session on any node: a presence registry of its own (Redis keys apart from user
/// presence), keyed by device address. The push hook wakes only devices found offline here.
/// </summary>
public sealed class DevicePresence(IPresenceRegistry registry)
{
    public IPresenceRegistry Registry => registry;

    public Task ConnectedAsync(string userId, int deviceId, string connectionId, CancellationToken cancellationToken) =>
        registry.AddConnectionAsync(DeviceIds.AddressOf(userId, deviceId), connectionId, cancellationToken);

    public Task DisconnectedAsync(string userId, int deviceId, string connectionId, CancellationToken cancellationToken) =>
        registry.RemoveConnectionAsync(DeviceIds.AddressOf(userId, deviceId), connectionId, cancellationToken);

    /// <summary>The addresses among <paramref name="addresses"/> with a live session.</summary>
    public Task<IReadOnlySet<string>> OnlineAsync(IReadOnlyCollection<string> addresses, CancellationToken cancellationToken) =>
        registry.GetOnlineAsync(addresses, cancellationToken);
}
