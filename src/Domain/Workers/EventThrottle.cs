namespace Chat.Domain.Workers;

/// <summary>
/// Lets through at most one event per second for a repetitive occurrence, reporting how many happened since
/// the previous event, so a host that logs each event cannot flood its log when the pool is overloaded.
/// </summary>
internal sealed class EventThrottle
{
    private const long NeverRaised = long.MinValue;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private long _lastRaised = NeverRaised;
    private long _occurrences;
    private long _reported;

    public EventThrottle(TimeProvider time) => _time = time;

    /// <summary>Records <paramref name="occurrences"/>; true when an event should be raised now with <paramref name="sinceLastEvent"/>.</summary>
    public bool TryRecord(long occurrences, out long sinceLastEvent)
    {
        sinceLastEvent = 0;
        var total = Interlocked.Add(ref _occurrences, occurrences);
        var now = _time.GetTimestamp();
        var last = Volatile.Read(ref _lastRaised);
        if (last != NeverRaised && _time.GetElapsedTime(last, now) < Interval)
        {
            return false;
        }

        if (Interlocked.CompareExchange(ref _lastRaised, now, last) != last)
        {
            return false;
        }

        sinceLastEvent = Math.Max(0, total - Interlocked.Exchange(ref _reported, total));
        return sinceLastEvent > 0;
    }
}
