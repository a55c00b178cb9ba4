using Chat.Domain.Partitioning;

namespace Chat.Domain.Workers;

/// <summary>Settings of one <see cref="KeyedWorkerPool{TRequest, TResult}"/>; read once when the pool is created.</summary>
public sealed class WorkerPoolOptions
{
    /// <summary>Names the pool in snapshots, events and metric tags; keep it short and constant.</summary>
    public string Name { get; set; } = "default";

    public DispatchMode Mode { get; set; } = DispatchMode.Hash;

    /// <summary>
    /// The worker that runs every request of <paramref name="key"/> in <see cref="DispatchMode.Hash"/>, the same in
    /// every process with these settings; null in the modes that do not pin a key to one worker.
    /// </summary>
    public int? WorkerOf(string key) => Mode == DispatchMode.Hash ? HashWorker(key, Workers) : null;

    /// <summary>The <see cref="DispatchMode.Hash"/> mapping from a key to one of <paramref name="workers"/> workers.</summary>
    public static int HashWorker(string key, int workers) => StableHash.Partition(key, workers);

    /// <summary>Number of workers, each with its own handler instance.</summary>
    public int Workers { get; set; } = Environment.ProcessorCount * 4;

    /// <summary>
    /// Queued requests allowed per worker. Shared-queue modes hold <see cref="Workers"/> times this many in
    /// one queue. A full queue rejects at once rather than making callers wait (load shedding).
    /// </summary>
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>Most requests a worker hands to its handler in one call (pipelining / group commit).</summary>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>Deadline of a request submitted without one; an older request is dropped instead of run.</summary>
    public TimeSpan MaxRequestAge { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A batch running longer than this is cancelled and its worker replaced.</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retry delay suggested to clients in overloaded errors.</summary>
    public TimeSpan RetryAfterHint { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws if a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Name, nameof(Name));
        if (!Enum.IsDefined(Mode))
        {
            throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "Unknown dispatch mode.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Workers, 1, nameof(Workers));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        if ((long)Workers * QueueCapacity > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(QueueCapacity), QueueCapacity, "Workers * QueueCapacity must fit in an int.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxRequestAge, TimeSpan.Zero, nameof(MaxRequestAge));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StuckAfter, TimeSpan.Zero, nameof(StuckAfter));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryAfterHint, TimeSpan.Zero, nameof(RetryAfterHint));
    }
}
