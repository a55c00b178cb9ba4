namespace Chat.Domain.Devices;

/// <summary>Devices and their mailboxes. Every call is keyed by user id (single-shard on Citus) except the inactivity scan.</summary>
public interface IDeviceStore
{
    Task<IReadOnlyList<Device>> ListAsync(string userId, CancellationToken cancellationToken);

    /// <summary>The device ids of each of <paramref name="userIds"/> that has an account.</summary>
    Task<IReadOnlyDictionary<string, int[]>> DeviceIdsOfAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken);

    /// <summary>Links a new device with its own empty mailbox; null when the account already has <paramref name="maxLinked"/> linked devices.</summary>
    Task<Device?> LinkAsync(string userId, string name, int maxLinked, DateTimeOffset now, CancellationToken cancellationToken);

    Task<bool> RenameAsync(string userId, int deviceId, string name, CancellationToken cancellationToken);

    /// <summary>Removes a linked device with its mailbox and pending envelopes; false when there was no such device.</summary>
    Task<bool> UnlinkAsync(string userId, int deviceId, CancellationToken cancellationToken);

    Task TouchAsync(string userId, int deviceId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Linked (never primary) devices last seen before <paramref name="before"/>.</summary>
    Task<IReadOnlyList<(string UserId, int DeviceId)>> FindInactiveAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);

    /// <summary>Sets (or with a null token, clears) a device's push registration; false when there is no such device.</summary>
    Task<bool> SetPushTokenAsync(string userId, int deviceId, string? provider, string? token, CancellationToken cancellationToken);

    Task<PushRegistration?> GetPushTokenAsync(string userId, int deviceId, CancellationToken cancellationToken);

    /// <summary>Clears the token only if it is still <paramref name="token"/> (the device may have registered a new one since).</summary>
    Task RemovePushTokenAsync(string userId, int deviceId, string token, CancellationToken cancellationToken);
}
