using Chat.Domain.Accounts;
using Microsoft.Extensions.Time.Testing;

namespace Chat.UnitTests.RateLimits;

public sealed class SignInBackoffTests
{
    private static readonly SignInBackoff Backoff = new(FreeFailures: 3, BaseDelay: TimeSpan.FromSeconds(1), MaxDelay: TimeSpan.FromSeconds(10), Memory: TimeSpan.FromHours(1));

    [Fact]
    public void DelayAfter_DoublesFromTheFirstFailureBeyondTheFreeOnes_UpToTheMaximum()
    {
        var delays = Enumerable.Range(1, 9).Select(n => Backoff.DelayAfter(n).TotalSeconds);

        Assert.Equal([0, 0, 0, 1, 2, 4, 8, 10, 10], delays);
        Assert.Equal(TimeSpan.FromSeconds(10), Backoff.DelayAfter(long.MaxValue));
    }

    [Fact]
    public async Task InProcessFailures_LockAfterTheFreeFailures_AndForgetOnResetOrAfterTheMemory()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 9, 10, 0, 0, TimeSpan.Zero));
        var failures = new InProcessSignInFailures(Backoff, time);

        for (var i = 0; i < 4; i++)
        {
            await failures.RecordFailureAsync("alice", default);
        }

        var locked = await failures.GetAsync("alice", default);
        time.Advance(TimeSpan.FromSeconds(1));
        var unlocked = await failures.GetAsync("alice", default);
        await failures.ResetAsync("alice", default);
        var reset = await failures.GetAsync("alice", default);
        await failures.RecordFailureAsync("bob", default);
        time.Advance(TimeSpan.FromHours(1));
        var forgotten = await failures.GetAsync("bob", default);

        Assert.Equal(new SignInRecord(4, TimeSpan.FromSeconds(1)), locked);
        Assert.Equal(new SignInRecord(4, TimeSpan.Zero), unlocked);
        Assert.Equal(default, reset);
        Assert.Equal(default, forgotten);
    }
}
