using Chat.Domain.RateLimits;

namespace Chat.UnitTests.RateLimits;

/// <summary>Shared buckets that count round trips; each call can be held open to model a slow Redis.</summary>
internal sealed class CountingBuckets(TimeProvider time) : ISharedTokenBuckets
{
    private readonly InProcessTokenBuckets _inner = new(time);
    private int _calls;

    public bool IsLocal => false;

    public int Calls => Volatile.Read(ref _calls);

    public TaskCompletionSource? Gate { get; set; }

    public async ValueTask<TokenGrant> TakeAsync(string key, TokenBucketSpec spec, int wanted, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (Gate is { } gate)
        {
            await gate.Task;
        }

        return _inner.Take(key, spec, wanted);
    }
}
