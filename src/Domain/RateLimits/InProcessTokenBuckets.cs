using System.Collections.Concurrent;

namespace Chat.Domain.RateLimits;

/// <summary>
/// Token buckets in this process: the limits of a single node (the embedded default, no Redis), and the fallback
/// while Redis is unreachable. Buckets that have filled up again are pruned now and then: a full bucket and a
/// missing one are the same.
/// </summary>
public sealed class InProcessTokenBuckets(TimeProvider time) : ISharedTokenBuckets
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private long _nextPruneTicks;

    public bool IsLocal => true;

    public int Count => _buckets.Count;

    public ValueTask<TokenGrant> TakeAsync(string key, TokenBucketSpec spec, int wanted, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Take(key, spec, wanted));

    public TokenGrant Take(string key, TokenBucketSpec spec, int wanted)
    {
        var now = time.GetUtcNow().UtcTicks;
        PruneIfDue(now);
        var bucket = _buckets.GetOrAdd(key, static (_, state) => new Bucket(state.Capacity, state.Now), (spec.Capacity, Now: now));
        lock (bucket)
        {
            bucket.Refill(spec, now);
            var granted = (int)Math.Min(wanted, Math.Floor(bucket.Tokens));
            bucket.Tokens -= granted;
            Volatile.Write(ref bucket.FullAtTicks, now + TimeSpan.FromSeconds((spec.Capacity - bucket.Tokens) / spec.RatePerSecond).Ticks);
            return new TokenGrant(granted, granted > 0 ? TimeSpan.Zero : spec.TimeToOneToken(bucket.Tokens));
        }
    }

    private void PruneIfDue(long now)
    {
        var due = Interlocked.Read(ref _nextPruneTicks);
        if (now < due || Interlocked.CompareExchange(ref _nextPruneTicks, now + PruneEvery.Ticks, due) != due)
        {
            return;
        }

        foreach (var (key, bucket) in _buckets)
        {
            if (now >= Volatile.Read(ref bucket.FullAtTicks))
            {
                _buckets.TryRemove(new KeyValuePair<string, Bucket>(key, bucket));
            }
        }
    }

    private sealed class Bucket(double tokens, long updatedTicks)
    {
        public double Tokens = tokens;
        public long UpdatedTicks = updatedTicks;
        public long FullAtTicks = updatedTicks;

        public void Refill(TokenBucketSpec spec, long now)
        {
            if (now > UpdatedTicks)
            {
                Tokens = Math.Min(spec.Capacity, Tokens + (TimeSpan.FromTicks(now - UpdatedTicks).TotalSeconds * spec.RatePerSecond));
            }

            UpdatedTicks = Math.Max(UpdatedTicks, now);
        }
    }
}
