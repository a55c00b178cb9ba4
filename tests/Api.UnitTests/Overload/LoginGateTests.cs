using Chat.Domain.Overload;
using Microsoft.Extensions.Time.Testing;

namespace Chat.UnitTests.Overload;

public sealed class LoginGateTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 17, 8, 30, 0, TimeSpan.Zero));

    private LoginGate Gate() => new(new LoginGateOptions { CloseAboveBacklog = 100, CloseAfter = TimeSpan.FromSeconds(5), ReopenBelowBacklog = 10 }, _time);

    [Fact]
    public void Observe_HighBacklogShorterThanCloseAfter_StaysOpen()
    {
        var gate = Gate();

        gate.Observe(500);
        _time.Advance(TimeSpan.FromSeconds(4));
        gate.Observe(500);
        _time.Advance(TimeSpan.FromSeconds(2));
        gate.Observe(50); // a dip resets the clock
        _time.Advance(TimeSpan.FromSeconds(1));
        gate.Observe(500);

        Assert.True(gate.IsOpen);
    }

    [Fact]
    public void Observe_HighBacklogForCloseAfter_ClosesAndReopensOnlyBelowTheLowMark()
    {
        var gate = Gate();

        gate.Observe(500);
        _time.Advance(TimeSpan.FromSeconds(5));
        gate.Observe(500);
        var closed = !gate.IsOpen;
        gate.Observe(50); // below the high mark but above the low mark: hysteresis keeps it closed
        var stillClosed = !gate.IsOpen;
        gate.Observe(5);

        Assert.True(closed);
        Assert.True(stillClosed);
        Assert.True(gate.IsOpen);
        Assert.Equal("normal", gate.State.Reason);
    }

    [Fact]
    public void Force_OverridesTheBacklogRuleUntilReleased()
    {
        var gate = Gate();

        gate.Force(false);
        gate.Observe(0);
        var forcedClosed = gate.State;
        gate.Force(null);

        Assert.False(forcedClosed.Open);
        Assert.True(forcedClosed.Forced);
        Assert.Equal("operator", forcedClosed.Reason);
        Assert.True(gate.IsOpen);
    }

    [Fact]
    public async Task WaitForAsync_CompletesWhenTheGateChanges()
    {
        var gate = Gate();
        var closing = gate.WaitForAsync(open: false, CancellationToken.None);
        var alreadyOpen = gate.WaitForAsync(open: true, CancellationToken.None);

        var pendingBefore = closing.IsCompleted;
        gate.Force(false);

        Assert.True(alreadyOpen.IsCompleted);
        Assert.False(pendingBefore);
        await closing.WaitAsync(Timeout);
        Assert.Equal(_time.GetUtcNow(), gate.State.ChangedAt);
    }
}
