using Chat.Domain.Push;

namespace Chat.UnitTests.Push;

/// <summary>Coalescing per device, the minimum interval, shedding the oldest and retries.</summary>
public sealed class WakeUpScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly PushOptions _options = new() { CoalesceDelay = TimeSpan.FromSeconds(1), MinInterval = TimeSpan.FromSeconds(30) };

    [Fact]
    public void A_burst_for_one_device_becomes_one_wake_up_with_the_latest_sender()
    {
        var schedule = new WakeUpSchedule(_options, 100);

        schedule.Add(new WakeUp("bob", 1, "alice"), T0);
        schedule.Add(new WakeUp("bob", 1, "carol"), T0.AddMilliseconds(500));
        var early = schedule.TakeDue(T0.AddMilliseconds(900), 10);
        var due = schedule.TakeDue(T0.AddSeconds(1), 10);

        Assert.Empty(early);
        Assert.Equal(new WakeUp("bob", 1, "carol"), Assert.Single(due).WakeUp);
        Assert.Null(schedule.NextDue);
    }

    [Fact]
    public void Devices_are_coalesced_apart_and_a_device_woken_recently_waits_for_the_minimum_interval()
    {
        var schedule = new WakeUpSchedule(_options, 100);
        schedule.Add(new WakeUp("bob", 1, "alice"), T0);
        schedule.Add(new WakeUp("bob", 2, "alice"), T0);
        Assert.Equal(2, schedule.TakeDue(T0.AddSeconds(1), 10).Count);

        schedule.Add(new WakeUp("bob", 1, "alice"), T0.AddSeconds(2));

        Assert.Equal(T0.AddSeconds(31), schedule.NextDue);
        Assert.Empty(schedule.TakeDue(T0.AddSeconds(10), 10));
        Assert.Single(schedule.TakeDue(T0.AddSeconds(31), 10));
    }

    [Fact]
    public void A_full_schedule_sheds_the_wake_up_due_soonest()
    {
        var schedule = new WakeUpSchedule(_options, 2);
        schedule.Add(new WakeUp("a", 1, "x"), T0);
        schedule.Add(new WakeUp("b", 1, "x"), T0.AddMilliseconds(10));

        var shed = schedule.Add(new WakeUp("c", 1, "x"), T0.AddMilliseconds(20));

        Assert.True(shed);
        Assert.Equal(["b", "c"], schedule.TakeDue(T0.AddSeconds(5), 10).Select(d => d.WakeUp.UserId).Order());
    }

    [Fact]
    public void A_retried_wake_up_comes_back_after_its_delay_with_one_more_attempt()
    {
        var schedule = new WakeUpSchedule(_options, 10);
        schedule.Add(new WakeUp("bob", 1, "alice"), T0);
        var first = Assert.Single(schedule.TakeDue(T0.AddSeconds(1), 10));

        schedule.Retry(first, T0.AddSeconds(1), TimeSpan.FromSeconds(2));

        Assert.Empty(schedule.TakeDue(T0.AddSeconds(2), 10));
        Assert.Equal(1, Assert.Single(schedule.TakeDue(T0.AddSeconds(3), 10)).Attempt);
    }
}
