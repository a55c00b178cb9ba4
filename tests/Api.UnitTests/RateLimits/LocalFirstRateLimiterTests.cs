using Chat.Domain.RateLimits;
using Microsoft.Extensions.Time.Testing;

namespace Chat.UnitTests.RateLimits;

public sealed class LocalFirstRateLimiterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 9, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task TryAcquire_WithinALease_CostsOneSharedCallPerLease()
    {
        var shared = new CountingBuckets(_time);
        var limiter = new LocalFirstRateLimiter("send", shared, new TokenBucketSpec(1000, 1000), leaseSize: 10, _time);

        for (var i = 0; i < 100; i++)
        {
            Assert.True((await limiter.TryAcquireAsync("alice", default)).Allowed);
        }

        Assert.Equal(10, shared.Calls);
    }

    [Fact]
    public async Task TryAcquire_OverTheSharedLimit_RefusesWithTheTimeToTheNextToken()
    {
        var shared = new CountingBuckets(_time);
        var limiter = new LocalFirstRateLimiter("send", shared, new TokenBucketSpec(RatePerSecond: 2, Capacity: 4), leaseSize: 3, _time);

        var decisions = new List<RateDecision>();
        for (var i = 0; i < 5; i++)
        {
            decisions.Add(await limiter.TryAcquireAsync("alice", default));
        }

        Assert.Equal([true, true, true, true, false], decisions.Select(d => d.Allowed));
        Assert.Equal(TimeSpan.FromMilliseconds(500), decisions[^1].RetryAfter);
    }

    [Fact]
    public async Task TryAcquire_AfterARefusal_RefusesLocallyUntilATokenIsBack()
    {
        var shared = new CountingBuckets(_time);
        var limiter = new LocalFirstRateLimiter("send", shared, new TokenBucketSpec(RatePerSecond: 1, Capacity: 1), leaseSize: 5, _time);
        await limiter.TryAcquireAsync("alice", default);
        await limiter.TryAcquireAsync("alice", default);
        var callsAfterFirstRefusal = shared.Calls;

        for (var i = 0; i < 50; i++)
        {
            Assert.False((await limiter.TryAcquireAsync("alice", default)).Allowed);
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        var later = await limiter.TryAcquireAsync("alice", default);

        Assert.Equal(callsAfterFirstRefusal, shared.Calls - 1);
        Assert.True(later.Allowed);
    }

    [Fact]
    public async Task TryAcquire_WhileALeaseIsInFlight_WaitsForItInsteadOfAskingAgain()
    {
        var shared = new CountingBuckets(_time) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var limiter = new LocalFirstRateLimiter("send", shared, new TokenBucketSpec(1000, 1000), leaseSize: 10, _time);

        var waiting = Enumerable.Range(0, 8).Select(_ => limiter.TryAcquireAsync("alice", default).AsTask()).ToList();
        shared.Gate.SetResult();
        var decisions = await Task.WhenAll(waiting);

        Assert.All(decisions, d => Assert.True(d.Allowed));
        Assert.Equal(1, shared.Calls);
    }

    [Fact]
    public async Task TryAcquire_TwoNodesOnOneSharedBucket_NeverGrantMoreThanItHolds()
    {
        var shared = new CountingBuckets(_time);
        var spec = new TokenBucketSpec(RatePerSecond: 0.001, Capacity: 25);
        var nodeA = new LocalFirstRateLimiter("send", shared, spec, leaseSize: 4, _time);
        var nodeB = new LocalFirstRateLimiter("send", shared, spec, leaseSize: 4, _time);

        var granted = 0;
        for (var i = 0; i < 40; i++)
        {
            granted += (await nodeA.TryAcquireAsync("alice", default)).Allowed ? 1 : 0;
            granted += (await nodeB.TryAcquireAsync("alice", default)).Allowed ? 1 : 0;
        }

        Assert.Equal(25, granted);
    }

    [Fact]
    public async Task TryAcquire_InProcessBuckets_TakesOneTokenAtATimeWithoutTrackingLeases()
    {
        var limiter = new LocalFirstRateLimiter("send", new InProcessTokenBuckets(_time), new TokenBucketSpec(RatePerSecond: 1, Capacity: 3), leaseSize: 10, _time);

        var decisions = new List<bool>();
        for (var i = 0; i < 4; i++)
        {
            decisions.Add((await limiter.TryAcquireAsync("alice", default)).Allowed);
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        decisions.Add((await limiter.TryAcquireAsync("alice", default)).Allowed);

        Assert.Equal([true, true, true, false, true], decisions);
        Assert.Equal(0, limiter.TrackedKeys);
    }

    [Fact]
    public async Task TryAcquire_KeysAreIndependent()
    {
        var limiter = new LocalFirstRateLimiter("send", new InProcessTokenBuckets(_time), new TokenBucketSpec(RatePerSecond: 0.001, Capacity: 1), leaseSize: 1, _time);

        var alice = await limiter.TryAcquireAsync("alice", default);
        var aliceAgain = await limiter.TryAcquireAsync("alice", default);
        var bob = await limiter.TryAcquireAsync("bob", default);

        Assert.True(alice.Allowed);
        Assert.False(aliceAgain.Allowed);
        Assert.True(bob.Allowed);
    }
}
