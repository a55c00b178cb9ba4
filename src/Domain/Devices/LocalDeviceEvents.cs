namespace Chat.Domain.Devices;

/// <summary>Device changes on a single node (no Redis): handled in process.</summary>
public sealed class LocalDeviceEvents(IDeviceChangeHandler handler) : IDeviceEvents
{
    public Task PublishChangedAsync(string userId, int? unlinkedDeviceId, CancellationToken cancellationToken) =>
        handler.OnChangedAsync(userId, unlinkedDeviceId);
}
