namespace Chat.Domain.Devices;

/// <summary>One device of an account, as its owner sees it.</summary>
public sealed record Device(int DeviceId, string Name, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, string? PushProvider)
{
    public bool IsPrimary => DeviceId == DeviceIds.Primary;
}

/// <summary>A device's registered push token.</summary>
public sealed record PushRegistration(string UserId, int DeviceId, string Provider, string Token);
