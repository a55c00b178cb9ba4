using System.Collections.Concurrent;

namespace Chat.Domain.RateLimits;

/// <summary>
/// A per-key rate limit that holds across nodes yet costs no round trip on most calls. Each node spends a small
/// local allowance per key and takes the next one (up to <c>leaseSize</c> tokens) from the key's shared bucket only
/// when it runs out; callers that arrive while that request is in flight wait for it rather than making their
/// own. A refusal is remembered until the bucket has a token again, so a client hammering past its limit is
/// refused locally, without a round trip per attempt. With buckets held in this process the lease is one token.
/// </summary>
/// <remarks>
/// Tokens leased to a node count as spent in the shared bucket, so the sum over all nodes never exceeds the limit
/// by more than what nodes hold unspent (at most a lease per node); a user who moves to another node may be
/// refused early by up to the tokens left behind.
/// </remarks>
public sealed class LocalFirstRateLimiter(string name, ISharedTokenBuckets buckets, TokenBucketSpec spec, int leaseSize, TimeProvider time)
{
    private static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, Allowance> _allowances = new(StringComparer.Ordinal);
    private readonly int _lease = leaseSize;
    private long _nextPruneTicks;

    public TokenBucketSpec Spec => spec;

    /// <summary>Allowances held for keys (for tests and diagnostics).</summary>
    public int TrackedKeys => _allowances.Count;

    /// <summary>Takes one token for <paramref name="key"/>; completes synchronously while the local allowance lasts.</summary>
    public ValueTask<RateDecision> TryAcquireAsync(string key, CancellationToken cancellationToken)
    {
        if (buckets.IsLocal)
        {
            var taken = buckets.TakeAsync(SharedKey(key), spec, 1, cancellationToken);
            return taken.IsCompletedSuccessfully ? ValueTask.FromResult(DecisionOf(taken.Result)) : AwaitLocalAsync(taken);
        }

        var now = time.GetUtcNow().UtcTicks;
        PruneIfDue(now);
        var allowance = _allowances.GetOrAdd(key, static _ => new Allowance());
        Refill refill;
        lock (allowance)
        {
            allowance.LastUsedTicks = now;
            if (allowance.Tokens > 0)
            {
                allowance.Tokens--;
                return ValueTask.FromResult(RateDecision.Allow);
            }

            if (now < allowance.RefusedUntilTicks)
            {
                return ValueTask.FromResult(RateDecision.Refuse(TimeSpan.FromTicks(allowance.RefusedUntilTicks - now)));
            }

            refill = allowance.Pending ??= new Refill(buckets.TakeAsync(SharedKey(key), spec, _lease, CancellationToken.None).AsTask());
        }

        return AwaitRefillAsync(allowance, refill, cancellationToken);
    }

    private async ValueTask<RateDecision> AwaitRefillAsync(Allowance allowance, Refill refill, CancellationToken cancellationToken)
    {
        TokenGrant grant;
        try
        {
            // The shared call is not cancelled with one caller: others may be waiting on it.
            grant = await refill.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (refill.Task.IsFaulted)
        {
            lock (allowance)
            {
                if (ReferenceEquals(allowance.Pending, refill))
                {
                    allowance.Pending = null; // the next caller tries again
                }
            }

            throw;
        }

        var now = time.GetUtcNow().UtcTicks;
        lock (allowance)
        {
            if (!refill.Applied)
            {
                refill.Applied = true;
                allowance.Pending = null;
                allowance.Tokens += grant.Granted;
                if (grant.Granted == 0)
                {
                    allowance.RefusedUntilTicks = now + grant.RetryAfter.Ticks;
                }
            }

            if (allowance.Tokens > 0)
            {
                allowance.Tokens--;
                return RateDecision.Allow;
            }

            return RateDecision.Refuse(TimeSpan.FromTicks(Math.Max(allowance.RefusedUntilTicks - now, TimeSpan.TicksPerMillisecond)));
        }
    }

    private string SharedKey(string key) => string.Concat(name, ":", key);

    private static async ValueTask<RateDecision> AwaitLocalAsync(ValueTask<TokenGrant> taken) => DecisionOf(await taken.ConfigureAwait(false));

    private static RateDecision DecisionOf(TokenGrant grant) => grant.Granted > 0 ? RateDecision.Allow : RateDecision.Refuse(grant.RetryAfter);

    private void PruneIfDue(long now)
    {
        var due = Interlocked.Read(ref _nextPruneTicks);
        if (now < due || Interlocked.CompareExchange(ref _nextPruneTicks, now + IdleAfter.Ticks, due) != due)
        {
            return;
        }

        // Forgetting an idle key's unspent tokens only makes its limit stricter, by less than one lease.
        foreach (var (key, allowance) in _allowances)
        {
            if (now - Volatile.Read(ref allowance.LastUsedTicks) > IdleAfter.Ticks)
            {
                _allowances.TryRemove(new KeyValuePair<string, Allowance>(key, allowance));
            }
        }
    }

    private sealed class Allowance
    {
        public int Tokens;
        public long RefusedUntilTicks;
        public long LastUsedTicks;
        public Refill? Pending;
    }

    private sealed class Refill(Task<TokenGrant> task)
    {
        public Task<TokenGrant> Task { get; } = task;

        public bool Applied { get; set; }
    }
}
