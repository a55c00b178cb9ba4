using System.ComponentModel.DataAnnotations;

namespace Chat.Domain.RateLimits;

/// <summary>
/// The "RateLimits" section: per-user limits that hold across nodes (shared through Redis when it is configured).
/// The defaults are far above what a person or a well-behaved client does; they stop floods, not use.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Sustained <c>SendMessage</c> calls per second and user (a token bucket's refill rate).</summary>
    [Range(0.001, 1_000_000_000)]
    public double SendsPerSecond { get; set; } = 50;

    /// <summary>Sends a user may make at once after being quiet (the bucket's size).</summary>
    [Range(1, 1_000_000_000)]
    public int SendBurst { get; set; } = 500;

    /// <summary>Sustained new hub sessions (negotiate, or a connect without a connection id) per minute and user.</summary>
    [Range(0.001, 1_000_000_000)]
    public double ConnectAttemptsPerMinute { get; set; } = 60;

    /// <summary>New sessions a user may open at once.</summary>
    [Range(1, 1_000_000_000)]
    public int ConnectAttemptBurst { get; set; } = 60;

    /// <summary>Open hub connections per user, over all nodes.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnectionsPerUser { get; set; } = 32;

    /// <summary>
    /// Tokens a node takes from a user's shared bucket in one Redis call and then spends locally: the larger, the
    /// fewer round trips per send, and the more a user spread over several nodes may be refused early.
    /// </summary>
    [Range(1, 10_000)]
    public int LeaseSize { get; set; } = 10;

    public TokenBucketSpec Sends => new(SendsPerSecond, SendBurst);

    public TokenBucketSpec ConnectAttempts => new(ConnectAttemptsPerMinute / 60, ConnectAttemptBurst);
}
