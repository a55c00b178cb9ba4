using Chat.Domain.Devices;

namespace Chat.Hubs.Chat;

/// <summary>What a node does when any node changes a user's devices: forget them, and close an unlinked device's sessions.</summary>
public sealed class DeviceChangeHandler(DeviceDirectory directory, DeviceSessions sessions) : IDeviceChangeHandler
{
    public Task OnChangedAsync(string userId, int? unlinkedDeviceId)
    {
        directory.Forget(userId);
        if (unlinkedDeviceId is { } deviceId)
        {
            sessions.Close(DeviceIds.AddressOf(userId, deviceId));
        }

        return Task.CompletedTask;
    }
}
