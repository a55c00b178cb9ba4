namespace Chat.Domain.Workers;

/// <summary>
/// A pool's cumulative counters and recent-window statistics, mirrored to <see cref="WorkerPoolMetrics"/>
/// when the pool has one. The hot path costs one interlocked operation per counter.
/// </summary>
internal sealed class WorkerPoolCounters
{
    private readonly WorkerPoolMetrics? _metrics;
    private readonly KeyValuePair<string, object?> _poolTag;
    private readonly WaitTimeSampler _waits = new();
    private readonly ThroughputWindow _throughput;
    private long _enqueued;
    private long _dequeued;
    private long _discardedFull;
    private long _discardedExpired;
    private long _killed;
    private long _failed;

    public WorkerPoolCounters(string poolName, TimeProvider time, WorkerPoolMetrics? metrics)
    {
        _metrics = metrics;
        _poolTag = new KeyValuePair<string, object?>(WorkerPoolMetrics.PoolTag, poolName);
        _throughput = new ThroughputWindow(time, time.GetTimestamp());
    }

    public long Enqueued => Volatile.Read(ref _enqueued);

    public long Dequeued => Volatile.Read(ref _dequeued);

    public long DiscardedFull => Volatile.Read(ref _discardedFull);

    public long DiscardedExpired => Volatile.Read(ref _discardedExpired);

    public long Killed => Volatile.Read(ref _killed);

    public long Failed => Volatile.Read(ref _failed);

    public double WaitP99Milliseconds => _waits.PercentileMilliseconds(0.99);

    public void RecordEnqueued()
    {
        Interlocked.Increment(ref _enqueued);
        _metrics?.Enqueued(_poolTag);
    }

    public void RecordDiscardedFull()
    {
        Interlocked.Increment(ref _discardedFull);
        _metrics?.DiscardedFull(_poolTag);
    }

    public void RecordDequeued(int count)
    {
        Interlocked.Add(ref _dequeued, count);
        _metrics?.Dequeued(count, _poolTag);
    }

    public void RecordWait(TimeSpan wait)
    {
        _waits.Add(wait);
        if (_metrics is { RecordsQueueWait: true })
        {
            _metrics.QueueWait(wait, _poolTag);
        }
    }

    public void RecordExpired(int count)
    {
        Interlocked.Add(ref _discardedExpired, count);
        _metrics?.DiscardedExpired(count, _poolTag);
    }

    public void RecordKilled()
    {
        Interlocked.Increment(ref _killed);
        _metrics?.WorkerKilled(_poolTag);
    }

    public void RecordBatch(int size, TimeSpan duration, bool failed)
    {
        if (failed)
        {
            Interlocked.Increment(ref _failed);
            _metrics?.BatchFailed(_poolTag);
        }

        _metrics?.BatchProcessed(size, duration, _poolTag);
    }

    public void SampleThroughput(long timestamp) => _throughput.Sample(timestamp, Enqueued, Dequeued);

    public (double EnqueuePerSecond, double DequeuePerSecond) RatesAt(long timestamp) =>
        _throughput.RatesAt(timestamp, Enqueued, Dequeued);
}
