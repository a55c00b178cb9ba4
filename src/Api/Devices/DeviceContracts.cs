using Chat.Domain.Devices;

namespace Chat.Api.Devices;

public sealed record DeviceResponse(int DeviceId, string Name, bool Primary, bool Current, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, string? PushProvider)
{
    public static DeviceResponse Of(Device device, int currentDeviceId) =>
        new(device.DeviceId, device.Name, device.IsPrimary, device.DeviceId == currentDeviceId, device.CreatedAt, device.LastSeenAt, device.PushProvider);
}

public sealed record DevicesResponse(IReadOnlyList<DeviceResponse> Devices);

public sealed record RenameDeviceRequest(string? Name);

public sealed record PushTokenRequest(string? Provider, string? Token);
