namespace Chat.Domain.RateLimits;

/// <summary>The answer of a rate limit: allowed, or refused with how long to wait.</summary>
public readonly record struct RateDecision(bool Allowed, TimeSpan RetryAfter)
{
    public static RateDecision Allow { get; } = new(true, TimeSpan.Zero);

    public static RateDecision Refuse(TimeSpan retryAfter) => new(false, retryAfter);
}
