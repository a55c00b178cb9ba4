using Chat.Domain.Accounts;
using Chat.Domain.Errors;
using Chat.Domain.Groups;
using Chat.Domain.Identity;

namespace Chat.Domain.Presence;

/// <summary>
/// "X is typing": forwarded only to the online connections of the peer (or of the group's other members),
/// never stored, and rate-limited per sender.
/// </summary>
public sealed class TypingService(
    IPresenceRegistry registry,
    IAccountStore accounts,
    IEnumerable<IGroupDirectory> groupDirectories,
    IPresenceNotifier notifier,
    TypingRateLimiter limiter,
    PresenceMetrics metrics)
{
    // Optional: without a group directory every group is unknown.
    private readonly IGroupDirectory? _groups = groupDirectories.LastOrDefault();

    public async Task SendAsync(string senderId, string? to, string? groupId, CancellationToken cancellationToken)
    {
        if ((to is null) == (groupId is null))
        {
            throw ChatException.Invalid("exactly one of 'to' and 'groupId' is required.");
        }

        if (to is not null && !UserId.IsValid(to))
        {
            throw ChatException.Invalid($"'to' must be a user id matching {UserId.Pattern}.");
        }

        if (groupId is not null && !GroupService.IsValidGroupId(groupId))
        {
            throw ChatException.Invalid("'groupId' is not a valid group id.");
        }

        if (!limiter.TryAcquire(senderId, out var retryAfter))
        {
            metrics.TypingRateLimited();
            throw ChatException.RateLimited("too many typing notifications; slow down", retryAfter);
        }

        var recipients = to is not null
            ? await PeerAsync(to, cancellationToken)
            : await GroupAsync(senderId, groupId!, cancellationToken);
        if (recipients.Count > 0)
        {
            await notifier.TypingAsync(recipients, senderId, groupId, cancellationToken);
        }

        metrics.TypingSent();
    }

    private async Task<IReadOnlyCollection<string>> PeerAsync(string to, CancellationToken cancellationToken)
    {
        // An online user exists; only an offline one costs a look-up to tell "unknown" from "not there".
        if ((await registry.GetOnlineAsync([to], cancellationToken)).Count > 0)
        {
            return [to];
        }

        return await accounts.ExistsAsync(to, cancellationToken) ? [] : throw ChatException.NotFound($"no user '{to}'.");
    }

    private async Task<IReadOnlyCollection<string>> GroupAsync(string senderId, string groupId, CancellationToken cancellationToken)
    {
        var members = _groups is null ? null : await _groups.GetMemberIdsAsync(groupId, cancellationToken);
        if (members is null)
        {
            throw ChatException.NotFound($"no group '{groupId}'.");
        }

        if (!members.Contains(senderId, StringComparer.Ordinal))
        {
            throw ChatException.Forbidden("you are not a member of this group.");
        }

        var others = members.Where(m => !string.Equals(m, senderId, StringComparison.Ordinal)).ToList();
        var online = others.Count > 0 ? await registry.GetOnlineAsync(others, cancellationToken) : new HashSet<string>();
        return others.Where(online.Contains).ToList();
    }
}
