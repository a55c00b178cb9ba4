namespace Chat.Domain.Workers;

/// <summary>A point-in-time view of a pool for the admin endpoint; every member serialises to plain JSON.</summary>
public sealed record WorkerPoolSnapshot
{
    public required string Name { get; init; }

    public required DispatchMode Mode { get; init; }

    public required int Workers { get; init; }

    /// <summary>Configured capacity per worker.</summary>
    public required int QueueCapacity { get; init; }

    /// <summary>Requests the pool accepts before rejecting (all queues together).</summary>
    public required int TotalCapacity { get; init; }

    public required int TotalQueued { get; init; }

    /// <summary>Requests taken into the batches the workers are running: accepted, not yet answered.</summary>
    public int InFlight { get; init; }

    public required int MaxQueueLength { get; init; }

    public required int NonEmptyQueues { get; init; }

    /// <summary>
    /// One entry per queue: per worker in Hash and RoundRobin modes; a single shared queue in the
    /// FirstAvailable modes (including requests parked behind a busy key).
    /// </summary>
    public required int[] QueueLengths { get; init; }

    /// <summary>Workers currently running a batch.</summary>
    public required int BusyWorkers { get; init; }

    public required long Enqueued { get; init; }

    /// <summary>Requests taken off the queue: processed, expired, cancelled or failed by shutdown.</summary>
    public required long Dequeued { get; init; }

    public required long DiscardedFull { get; init; }

    public required long DiscardedExpired { get; init; }

    public required long KilledWorkers { get; init; }

    /// <summary>Batches that threw or returned the wrong number of results.</summary>
    public required long Failed { get; init; }

    /// <summary>Average over roughly the last ten seconds.</summary>
    public required double EnqueueRatePerSecond { get; init; }

    /// <summary>Average over roughly the last ten seconds.</summary>
    public required double DequeueRatePerSecond { get; init; }

    /// <summary>99th percentile of time spent queued, over the most recent dequeued requests.</summary>
    public required double WaitP99Milliseconds { get; init; }

    /// <summary>TotalQueued / DequeueRatePerSecond; 0 when empty, -1 when unknown (queued but nothing dequeued recently).</summary>
    public required double EstimatedDrainSeconds { get; init; }
}
