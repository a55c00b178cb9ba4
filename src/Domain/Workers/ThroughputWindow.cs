namespace Chat.Domain.Workers;

/// <summary>
/// Enqueue and dequeue rates over roughly the last ten seconds. The watchdog tick samples the pool's
/// cumulative counters at most once a second; a rate is the counter's growth since the oldest kept sample.
/// Reading is side-effect free, so the admin endpoint and metric scrapes do not disturb each other.
/// </summary>
internal sealed class ThroughputWindow
{
    private const int SampleCount = 11;
    private static readonly TimeSpan SampleSpacing = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly (long Timestamp, long Enqueued, long Dequeued)[] _samples = new (long, long, long)[SampleCount];
    private int _next;
    private int _count;

    public ThroughputWindow(TimeProvider time, long startTimestamp)
    {
        _time = time;
        Sample(startTimestamp, 0, 0);
    }

    public void Sample(long timestamp, long enqueued, long dequeued)
    {
        lock (_lock)
        {
            if (_count > 0)
            {
                var latest = _samples[(_next + SampleCount - 1) % SampleCount];
                if (_time.GetElapsedTime(latest.Timestamp, timestamp) < SampleSpacing)
                {
                    return;
                }
            }

            _samples[_next] = (timestamp, enqueued, dequeued);
            _next = (_next + 1) % SampleCount;
            _count = Math.Min(_count + 1, SampleCount);
        }
    }

    public (double EnqueuePerSecond, double DequeuePerSecond) RatesAt(long timestamp, long enqueued, long dequeued)
    {
        (long Timestamp, long Enqueued, long Dequeued) oldest;
        lock (_lock)
        {
            oldest = _samples[_count == SampleCount ? _next : 0];
        }

        var seconds = _time.GetElapsedTime(oldest.Timestamp, timestamp).TotalSeconds;
        if (seconds <= 0)
        {
            return (0, 0);
        }

        return ((enqueued - oldest.Enqueued) / seconds, (dequeued - oldest.Dequeued) / seconds);
    }
}
