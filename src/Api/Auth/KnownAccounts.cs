using System.Collections.Concurrent;
using Chat.Domain.Accounts;

namespace Chat.Api.Auth;

/// <summary>
/// Answers whether a token's subject still has an account, so a validly signed token for an unknown or deleted
/// user is refused. Existing accounts are remembered for <see cref="RememberFor"/> per node, so a busy node asks
/// the store about each user at most once a minute; unknown ids are never remembered (they fail every time).
/// </summary>
public sealed class KnownAccounts(IAccountStore accounts, TimeProvider timeProvider)
{
    public static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(1);

    // Bounds memory on a node that sees very many users: past this, the cache starts over.
    private const int MaxRemembered = 200_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _confirmed = new(StringComparer.Ordinal);

    public async ValueTask<bool> ExistsAsync(string userId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (_confirmed.TryGetValue(userId, out var until) && until > now)
        {
            return true;
        }

        if (!await accounts.ExistsAsync(userId, cancellationToken))
        {
            _confirmed.TryRemove(userId, out _);
            return false;
        }

        if (_confirmed.Count >= MaxRemembered)
        {
            _confirmed.Clear();
        }

        _confirmed[userId] = now + RememberFor;
        return true;
    }
}
