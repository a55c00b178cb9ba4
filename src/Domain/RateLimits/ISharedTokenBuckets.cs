namespace Chat.Domain.RateLimits;

/// <summary>
/// Token buckets shared by every node (Redis), or held by this process alone when there is no shared store.
/// The local-first <see cref="LocalFirstRateLimiter"/> calls it only when its own allowance for a key runs out.
/// </summary>
public interface ISharedTokenBuckets
{
    /// <summary>True when the buckets live in this process: taking one token at a time costs nothing, so no lease is needed.</summary>
    bool IsLocal { get; }

    /// <summary>Takes up to <paramref name="wanted"/> tokens from the bucket named <paramref name="key"/>.</summary>
    ValueTask<TokenGrant> TakeAsync(string key, TokenBucketSpec spec, int wanted, CancellationToken cancellationToken);
}
