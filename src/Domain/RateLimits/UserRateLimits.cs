using Chat.Domain.Errors;

namespace Chat.Domain.RateLimits;

/// <summary>
/// The per-user limits of the hub: sends, new sessions, and open connections. Sends and sessions are token
/// buckets shared by all nodes (<see cref="LocalFirstRateLimiter"/>); the connection cap is checked against the
/// presence registry, which already counts a user's connections on every node.
/// </summary>
public sealed class UserRateLimits
{
    private readonly LocalFirstRateLimiter _sends;
    private readonly LocalFirstRateLimiter _connectAttempts;
    private readonly RateLimitMetrics _metrics;

    public UserRateLimits(RateLimitOptions options, ISharedTokenBuckets buckets, RateLimitMetrics metrics, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _metrics = metrics;
        _sends = new LocalFirstRateLimiter("send", buckets, options.Sends, options.LeaseSize, time);
        // Sessions are rare and expensive: one round trip each keeps that limit exact.
        _connectAttempts = new LocalFirstRateLimiter("connect", buckets, options.ConnectAttempts, 1, time);
        MaxConnectionsPerUser = options.MaxConnectionsPerUser;
    }

    public int MaxConnectionsPerUser { get; }

    /// <summary>Takes one send from the user's allowance, or throws rate_limited with a retry hint.</summary>
    public ValueTask CheckSendAsync(string userId, CancellationToken cancellationToken)
    {
        var decision = _sends.TryAcquireAsync(userId, cancellationToken);
        if (decision.IsCompletedSuccessfully)
        {
            ThrowIfRefused(decision.Result);
            return ValueTask.CompletedTask;
        }

        return AwaitSendAsync(decision);
    }

    /// <summary>Takes one new session from the user's allowance; counts the refusal.</summary>
    public async ValueTask<RateDecision> TryConnectAttemptAsync(string userId, CancellationToken cancellationToken)
    {
        var decision = await _connectAttempts.TryAcquireAsync(userId, cancellationToken).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            _metrics.Refused(RateLimitMetrics.ConnectAttempt);
        }

        return decision;
    }

    /// <summary>Throws rate_limited when a user already has more open connections than the cap (this one included).</summary>
    public void CheckConnectionCount(long openConnections)
    {
        if (openConnections > MaxConnectionsPerUser)
        {
            _metrics.Refused(RateLimitMetrics.Connections);
            throw ChatException.RateLimited($"too many open connections for this user (at most {MaxConnectionsPerUser}); close one first", TimeSpan.FromSeconds(10));
        }
    }

    private async ValueTask AwaitSendAsync(ValueTask<RateDecision> decision) => ThrowIfRefused(await decision.ConfigureAwait(false));

    private void ThrowIfRefused(RateDecision decision)
    {
        if (!decision.Allowed)
        {
            _metrics.Refused(RateLimitMetrics.Send);
            throw ChatException.RateLimited("too many messages from this user; slow down", decision.RetryAfter);
        }
    }
}
