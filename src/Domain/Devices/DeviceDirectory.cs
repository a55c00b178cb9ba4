using System.Collections.Concurrent;

namespace Chat.Domain.Devices;

/// <summary>
/// Which devices each user has, remembered per node for about <see cref="RememberFor"/> so a busy node asks the store
/// about a user about once a minute. Every node forgets a user as soon as one of the user's devices is linked or unlinked
/// anywhere (<see cref="IDeviceEvents"/>), which is what stops an unlinked device's tokens at once on every node.
/// Users without an account are never remembered (they fail every time).
/// </summary>
public sealed class DeviceDirectory(IDeviceStore store, TimeProvider timeProvider)
{
    public static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(1);

    private static readonly int[] PrimaryOnly = [DeviceIds.Primary];

    // Bounds memory on a node that sees very many users: past this, the cache starts over.
    private const int MaxRemembered = 200_000;

    private readonly ConcurrentDictionary<string, (int[] Ids, DateTimeOffset Until)> _known = new(StringComparer.Ordinal);

    /// <summary>The user's device ids, ascending; empty when the user has no account.</summary>
    public async ValueTask<int[]> DeviceIdsOfAsync(string userId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (_known.TryGetValue(userId, out var entry) && entry.Until > now)
        {
            return entry.Ids;
        }

        var found = await store.DeviceIdsOfAsync([userId], cancellationToken);
        return Remember(userId, found.TryGetValue(userId, out var ids) ? ids : [], now);
    }

    /// <summary>Device ids of many users at once (one store round trip for those not remembered).</summary>
    public async ValueTask<IReadOnlyDictionary<string, int[]>> DeviceIdsOfAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var result = new Dictionary<string, int[]>(userIds.Count, StringComparer.Ordinal);
        List<string>? missing = null;
        foreach (var userId in userIds)
        {
            if (_known.TryGetValue(userId, out var entry) && entry.Until > now)
            {
                result[userId] = entry.Ids;
            }
            else
            {
                (missing ??= []).Add(userId);
            }
        }

        if (missing is not null)
        {
            var found = await store.DeviceIdsOfAsync(missing, cancellationToken);
            foreach (var userId in missing)
            {
                result[userId] = Remember(userId, found.TryGetValue(userId, out var ids) ? ids : [], now);
            }
        }

        return result;
    }

    public async ValueTask<bool> IsLinkedAsync(string userId, int deviceId, CancellationToken cancellationToken) =>
        Array.IndexOf(await DeviceIdsOfAsync(userId, cancellationToken), deviceId) >= 0;

    /// <summary>Whether the user has a device other than <paramref name="deviceId"/> (what copies and announcements need).</summary>
    public async ValueTask<bool> HasOtherDevicesAsync(string userId, int deviceId, CancellationToken cancellationToken)
    {
        var ids = await DeviceIdsOfAsync(userId, cancellationToken);
        return ids.Length > 1 || (ids.Length == 1 && ids[0] != deviceId);
    }

    public void Forget(string userId) => _known.TryRemove(userId, out _);

    private int[] Remember(string userId, int[] ids, DateTimeOffset now)
    {
        if (ids.Length == 0)
        {
            _known.TryRemove(userId, out _);
            return ids;
        }

        if (_known.Count >= MaxRemembered)
        {
            _known.Clear();
        }

        var shared = ids is [DeviceIds.Primary] ? PrimaryOnly : ids;
        // Spread over half to one and a half times RememberFor: users who connected together (a reconnect storm)
        // must not all be looked up again in the same second, since sends consult this too.
        _known[userId] = (shared, now + (RememberFor * (0.5 + Random.Shared.NextDouble())));
        return shared;
    }
}
