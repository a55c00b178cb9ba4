namespace Chat.Domain.RateLimits;

/// <summary>A token bucket: refilled at <paramref name="RatePerSecond"/>, holding at most <paramref name="Capacity"/> tokens; a new bucket is full.</summary>
public readonly record struct TokenBucketSpec(double RatePerSecond, int Capacity)
{
    /// <summary>How long until one token is back in a bucket holding <paramref name="tokens"/>.</summary>
    public TimeSpan TimeToOneToken(double tokens) => tokens >= 1 ? TimeSpan.Zero : TimeSpan.FromSeconds((1 - tokens) / RatePerSecond);
}
