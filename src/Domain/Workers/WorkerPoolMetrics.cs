using System.Diagnostics.Metrics;

namespace Chat.Domain.Workers;

/// <summary>
/// OpenTelemetry-style instruments for all worker pools of a process, on the meter "Chat.WorkerPools".
/// Register one instance as a singleton: instruments are created once and every pool passed this object
/// registers itself, which is how the observable gauges and the admin endpoint (<see cref="Pools"/>) find it.
/// Tags are low-cardinality only: the pool name and a discard reason, never a key.
/// </summary>
public sealed class WorkerPoolMetrics
{
    public const string MeterName = "Chat.WorkerPools";

    internal const string PoolTag = "pool";
    internal const string ReasonTag = "reason";

    // Queue waits and batch durations range from microseconds to the watchdog limit.
    private static readonly double[] SecondsBuckets =
        [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly KeyValuePair<string, object?> ReasonFull = new(ReasonTag, "full");
    private static readonly KeyValuePair<string, object?> ReasonExpired = new(ReasonTag, "expired");

    private readonly Lock _lock = new();
    private readonly Counter<long> _enqueued;
    private readonly Counter<long> _dequeued;
    private readonly Counter<long> _discarded;
    private readonly Counter<long> _killed;
    private readonly Counter<long> _failedBatches;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _processingDuration;
    private readonly Histogram<int> _batchSize;

    // Copy-on-write so gauge callbacks and Pools never take the lock.
    private IWorkerPoolInfo[] _pools = [];

    public WorkerPoolMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(new MeterOptions(MeterName));
        var secondsAdvice = new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets };

        meter.CreateObservableGauge("chat.pool.queue.length", () => Observe(s => (long)s.TotalQueued), "{request}", "Requests waiting in the pool's queues.");
        meter.CreateObservableGauge("chat.pool.queue.max_length", () => Observe(s => (long)s.MaxQueueLength), "{request}", "Length of the pool's longest queue.");
        meter.CreateObservableGauge("chat.pool.drain.estimated", ObserveDrain, "s", "Estimated time to drain the queue at the recent dequeue rate.");
        _enqueued = meter.CreateCounter<long>("chat.pool.enqueued", "{request}", "Requests accepted into a queue.");
        _dequeued = meter.CreateCounter<long>("chat.pool.dequeued", "{request}", "Requests taken off a queue (processed or dropped).");
        _discarded = meter.CreateCounter<long>("chat.pool.discarded", "{request}", "Requests rejected because the queue was full or dropped because they expired.");
        _killed = meter.CreateCounter<long>("chat.pool.workers.killed", "{worker}", "Workers replaced because a batch ran past the watchdog limit.");
        _failedBatches = meter.CreateCounter<long>("chat.pool.batches.failed", "{batch}", "Batches whose handler threw.");
        _queueWait = meter.CreateHistogram("chat.pool.queue.wait", "s", "Time a request spent queued.", advice: secondsAdvice);
        _processingDuration = meter.CreateHistogram("chat.pool.processing.duration", "s", "Time a handler took for one batch.", advice: secondsAdvice);
        _batchSize = meter.CreateHistogram<int>("chat.pool.batch.size", "{request}", "Requests per handler call (pipelining).");
    }

    /// <summary>The registered pools, for listing on an admin endpoint.</summary>
    public IReadOnlyList<IWorkerPoolInfo> Pools => Volatile.Read(ref _pools);

    /// <summary>
    /// Publishes every counter of every registered pool at zero (discards for both reasons), so an alert on its rate
    /// works before the first event. Histograms appear with their first observation.
    /// </summary>
    public void SeedZeros()
    {
        foreach (var info in Pools)
        {
            var pool = new KeyValuePair<string, object?>(PoolTag, info.Name);
            _enqueued.Add(0, pool);
            _dequeued.Add(0, pool);
            _discarded.Add(0, pool, ReasonFull);
            _discarded.Add(0, pool, ReasonExpired);
            _killed.Add(0, pool);
            _failedBatches.Add(0, pool);
        }
    }

    internal void Register(IWorkerPoolInfo pool)
    {
        lock (_lock)
        {
            // Two pools with one name would merge their metric series.
            if (_pools.Any(p => p.Name == pool.Name))
            {
                throw new ArgumentException($"A worker pool named '{pool.Name}' is already registered.", nameof(pool));
            }

            Volatile.Write(ref _pools, [.. _pools, pool]);
        }
    }

    internal void Unregister(IWorkerPoolInfo pool)
    {
        lock (_lock)
        {
            Volatile.Write(ref _pools, _pools.Where(p => !ReferenceEquals(p, pool)).ToArray());
        }
    }

    internal void Enqueued(KeyValuePair<string, object?> pool) => _enqueued.Add(1, pool);

    internal void Dequeued(int count, KeyValuePair<string, object?> pool) => _dequeued.Add(count, pool);

    internal void DiscardedFull(KeyValuePair<string, object?> pool) => _discarded.Add(1, pool, ReasonFull);

    internal void DiscardedExpired(int count, KeyValuePair<string, object?> pool) => _discarded.Add(count, pool, ReasonExpired);

    internal void WorkerKilled(KeyValuePair<string, object?> pool) => _killed.Add(1, pool);

    internal void BatchFailed(KeyValuePair<string, object?> pool) => _failedBatches.Add(1, pool);

    internal bool RecordsQueueWait => _queueWait.Enabled;

    internal void QueueWait(TimeSpan wait, KeyValuePair<string, object?> pool) => _queueWait.Record(wait.TotalSeconds, pool);

    internal void BatchProcessed(int size, TimeSpan duration, KeyValuePair<string, object?> pool)
    {
        _batchSize.Record(size, pool);
        _processingDuration.Record(duration.TotalSeconds, pool);
    }

    private IEnumerable<Measurement<long>> Observe(Func<WorkerPoolSnapshot, long> read)
    {
        foreach (var pool in Pools)
        {
            yield return new Measurement<long>(read(pool.Snapshot()), new KeyValuePair<string, object?>(PoolTag, pool.Name));
        }
    }

    private IEnumerable<Measurement<double>> ObserveDrain()
    {
        foreach (var pool in Pools)
        {
            // -1 means "unknown" in the snapshot; a gauge reports nothing rather than a negative time.
            var seconds = pool.Snapshot().EstimatedDrainSeconds;
            if (seconds >= 0)
            {
                yield return new Measurement<double>(seconds, new KeyValuePair<string, object?>(PoolTag, pool.Name));
            }
        }
    }
}
