using Chat.Domain.Errors;
using Chat.Domain.Validation;

namespace Chat.Domain.Devices;

/// <summary>An account's devices: linking at sign-in, listing, renaming, unlinking and push registrations.</summary>
public sealed class DeviceService(
    IDeviceStore store, DeviceDirectory directory, IDeviceEvents events, DevicePresence presence, DevicesOptions options, TimeProvider timeProvider)
{
    public const int MaxPushTokenLength = 4096;
    public const int MaxProviderLength = 32;

    public Task<IReadOnlyList<Device>> ListAsync(string userId, CancellationToken cancellationToken) => store.ListAsync(userId, cancellationToken);

    /// <summary>
    /// The device a sign-in is for: an existing device of the account (<paramref name="deviceId"/>), a new linked
    /// device (<paramref name="newDeviceName"/>), or the primary device when the request names none.
    /// </summary>
    public async Task<int> ResolveSignInAsync(string userId, int? deviceId, string? newDeviceName, CancellationToken cancellationToken)
    {
        if (deviceId is not null && newDeviceName is not null)
        {
            throw ChatException.Invalid("give either 'deviceId' (an existing device) or 'deviceName' (a new one), not both.");
        }

        if (deviceId is { } id)
        {
            return await directory.IsLinkedAsync(userId, id, cancellationToken)
                ? id
                : throw ChatException.NotFound($"no device {id} on this account.");
        }

        if (newDeviceName is null)
        {
            return DeviceIds.Primary;
        }

        var device = await store.LinkAsync(userId, ValidateName(newDeviceName), options.MaxLinked, timeProvider.GetUtcNow(), cancellationToken)
            ?? throw new ChatException(ChatErrorCode.Conflict, $"an account has at most {options.MaxLinked} linked devices; unlink one first.");
        await AnnounceAsync(userId, null, cancellationToken);
        return device.DeviceId;
    }

    public async Task RenameAsync(string userId, int deviceId, string? name, CancellationToken cancellationToken)
    {
        if (!await store.RenameAsync(userId, deviceId, ValidateName(name), cancellationToken))
        {
            throw ChatException.NotFound($"no device {deviceId} on this account.");
        }
    }

    /// <summary>Unlinks a linked device: its mailbox is dropped, its tokens stop working and its sessions close, on every node.</summary>
    public async Task UnlinkAsync(string userId, int deviceId, CancellationToken cancellationToken)
    {
        if (deviceId == DeviceIds.Primary)
        {
            throw ChatException.Forbidden("the primary device cannot be unlinked.");
        }

        if (!await store.UnlinkAsync(userId, deviceId, cancellationToken))
        {
            throw ChatException.NotFound($"no device {deviceId} on this account.");
        }

        await AnnounceAsync(userId, deviceId, cancellationToken);
    }

    /// <summary>
    /// Unlinks linked devices not seen for Devices:InactiveAfter; returns how many it looked at. A device with a live
    /// session (one open for longer than that) is kept and marked seen now.
    /// </summary>
    public async Task<int> UnlinkInactiveAsync(int limit, CancellationToken cancellationToken)
    {
        var inactive = await store.FindInactiveAsync(timeProvider.GetUtcNow() - options.InactiveAfter, limit, cancellationToken);
        var online = await presence.OnlineAsync(inactive.Select(d => DeviceIds.AddressOf(d.UserId, d.DeviceId)).ToList(), cancellationToken);
        foreach (var (userId, deviceId) in inactive)
        {
            if (online.Contains(DeviceIds.AddressOf(userId, deviceId)))
            {
                await store.TouchAsync(userId, deviceId, timeProvider.GetUtcNow(), cancellationToken);
            }
            else if (await store.UnlinkAsync(userId, deviceId, cancellationToken))
            {
                await AnnounceAsync(userId, deviceId, cancellationToken);
            }
        }

        return inactive.Count;
    }

    public Task TouchAsync(string userId, int deviceId, CancellationToken cancellationToken) =>
        store.TouchAsync(userId, deviceId, timeProvider.GetUtcNow(), cancellationToken);

    public async Task SetPushTokenAsync(string userId, int deviceId, string? provider, string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(provider) || provider.Length > MaxProviderLength || !WireText.IsStorable(provider))
        {
            throw ChatException.Invalid($"'provider' is required, at most {MaxProviderLength} characters.");
        }

        if (string.IsNullOrWhiteSpace(token) || token.Length > MaxPushTokenLength || !WireText.IsStorable(token))
        {
            throw ChatException.Invalid($"'token' is required, at most {MaxPushTokenLength} characters.");
        }

        if (!await store.SetPushTokenAsync(userId, deviceId, provider, token, cancellationToken))
        {
            throw ChatException.NotFound($"no device {deviceId} on this account.");
        }
    }

    public async Task ClearPushTokenAsync(string userId, int deviceId, CancellationToken cancellationToken)
    {
        if (!await store.SetPushTokenAsync(userId, deviceId, null, null, cancellationToken))
        {
            throw ChatException.NotFound($"no device {deviceId} on this account.");
        }
    }

    private async Task AnnounceAsync(string userId, int? unlinkedDeviceId, CancellationToken cancellationToken)
    {
        directory.Forget(userId);
        await events.PublishChangedAsync(userId, unlinkedDeviceId, cancellationToken);
    }

    private string ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > options.MaxNameLength || !WireText.IsStorable(name))
        {
            throw ChatException.Invalid($"a device name is required, 1 to {options.MaxNameLength} characters.");
        }

        return name;
    }
}
