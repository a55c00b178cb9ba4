using System.Threading.Channels;
using Chat.Domain.Errors;
using Chat.Domain.Partitioning;

namespace Chat.Domain.Workers;

/// <summary>
/// A fixed set of stateful workers fed by bounded queues, after WhatsApp's gen_factory. Callers submit a keyed
/// request and await its result; an idle worker takes the next request plus whatever else has queued up
/// meanwhile (up to MaxBatchSize) and hands them to its handler in one call, so one transaction can commit
/// many requests. Overload is shed at the door (full queue, expired deadline) rather than turned into
/// unbounded latency, and a watchdog replaces workers stuck in a batch. <see cref="DispatchMode"/> says how
/// a request finds its worker.
/// </summary>
public sealed partial class KeyedWorkerPool<TRequest, TResult> : IWorkerPoolInfo, IAsyncDisposable
{
    private readonly Func<int, IWorkerHandler<TRequest, TResult>> _handlerFactory;
    private readonly TimeProvider _time;
    private readonly WorkerPoolMetrics? _metrics;
    private readonly WorkerPoolCounters _counters;
    private readonly int _queueCapacity;
    private readonly int _totalCapacity;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxRequestAge;
    private readonly TimeSpan _stuckAfter;
    private readonly TimeSpan _retryAfterHint;
    private readonly WorkerSlot<TRequest, TResult>[] _slots;
    private readonly Channel<PendingRequest<TRequest, TResult>>? _sharedQueue;
    private readonly KeyLaneTable<TRequest, TResult>? _lanes;
    private readonly EventThrottle _fullEvents;
    private readonly EventThrottle _expiredEvents;
    private readonly EventThrottle _failureEvents;
    private readonly Lock _lifecycleLock = new();
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer _watchdog;
    private volatile bool _disposing;
    private int _nextWorker = -1;
    private int _admitted;
    private int _watchdogBusy;

    public KeyedWorkerPool(
        WorkerPoolOptions options,
        Func<int, IWorkerHandler<TRequest, TResult>> handlerFactory,
        TimeProvider timeProvider,
        WorkerPoolMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handlerFactory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();

        Name = options.Name;
        Mode = options.Mode;
        Workers = options.Workers;
        _handlerFactory = handlerFactory;
        _time = timeProvider;
        _metrics = metrics;
        _queueCapacity = options.QueueCapacity;
        _totalCapacity = options.Workers * options.QueueCapacity;
        _maxBatchSize = options.MaxBatchSize;
        _maxRequestAge = options.MaxRequestAge;
        _stuckAfter = options.StuckAfter;
        _retryAfterHint = options.RetryAfterHint;
        _counters = new WorkerPoolCounters(Name, timeProvider, metrics);
        _fullEvents = new EventThrottle(timeProvider);
        _expiredEvents = new EventThrottle(timeProvider);
        _failureEvents = new EventThrottle(timeProvider);

        if (Mode is DispatchMode.FirstAvailable or DispatchMode.FirstAvailableSerialized)
        {
            // One queue read by every worker: whoever is idle takes the next request.
            _sharedQueue = Channel.CreateBounded<PendingRequest<TRequest, TResult>>(
                new BoundedChannelOptions(_totalCapacity)
                {
                    SingleReader = false,
                    SingleWriter = false,
                    FullMode = BoundedChannelFullMode.Wait, // never waited on: submits use TryWrite and reject when full
                });
            _lanes = Mode == DispatchMode.FirstAvailableSerialized ? new KeyLaneTable<TRequest, TResult>() : null;
            _slots = new WorkerSlot<TRequest, TResult>[Workers];
            for (var i = 0; i < Workers; i++)
            {
                _slots[i] = new WorkerSlot<TRequest, TResult>(i, _sharedQueue.Reader, writer: null);
            }
        }
        else
        {
            _slots = new WorkerSlot<TRequest, TResult>[Workers];
            for (var i = 0; i < Workers; i++)
            {
                var queue = Channel.CreateBounded<PendingRequest<TRequest, TResult>>(
                    new BoundedChannelOptions(_queueCapacity)
                    {
                        SingleReader = true,
                        SingleWriter = false,
                        FullMode = BoundedChannelFullMode.Wait, // never waited on: submits use TryWrite and reject when full
                    });
                _slots[i] = new WorkerSlot<TRequest, TResult>(i, queue.Reader, queue.Writer);
            }
        }

        metrics?.Register(this);
        var handlers = CreateInitialHandlers();
        for (var i = 0; i < Workers; i++)
        {
            var slot = _slots[i];
            var handler = handlers[i];
            slot.Loop = Task.Run(() => RunWorkerAsync(slot, handler));
        }

        // Ticks often enough to catch a stuck batch soon after StuckAfter, and at least once a second for the rate window.
        var period = TimeSpan.FromTicks(Math.Clamp(_stuckAfter.Ticks / 4, TimeSpan.TicksPerMillisecond, TimeSpan.TicksPerSecond));
        _watchdog = timeProvider.CreateTimer(static state => ((KeyedWorkerPool<TRequest, TResult>)state!).OnWatchdogTick(), this, period, period);
    }

    /// <summary>Discards, failed batches and killed workers, for the host to log. Subscribers run synchronously on a worker or the watchdog: keep them short.</summary>
    public event Action<WorkerPoolEvent>? EventRaised;

    public string Name { get; }

    public DispatchMode Mode { get; }

    public int Workers { get; }

    /// <summary>
    /// Queues <paramref name="request"/> for the worker chosen by the dispatch mode and completes with its
    /// result. Never waits for room: a full queue yields an already-faulted task with an overloaded error.
    /// A request still queued at <paramref name="deadline"/> (at most, and by default, now + MaxRequestAge) is dropped without
    /// running and fails as overloaded ("request expired"). Cancelling <paramref name="cancellationToken"/>
    /// stops the wait at once and keeps the request from running if no worker has taken it yet; once taken,
    /// it runs and its outcome is unknown to the cancelled caller.
    /// </summary>
    public Task<TResult> SubmitAsync(string key, TRequest request, DateTimeOffset? deadline = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        if (_disposing)
        {
            return Task.FromException<TResult>(ShuttingDown());
        }

        var now = _time.GetUtcNow();
        // A request never waits longer than MaxRequestAge, whatever deadline its caller asked for.
        var longest = now + _maxRequestAge;
        var due = deadline is { } asked && asked < longest ? asked : longest;
        if (due <= now)
        {
            RecordExpired(1, worker: null);
            return Task.FromException<TResult>(RequestExpired());
        }

        var pending = new PendingRequest<TRequest, TResult>(key, request, due, _time.GetTimestamp(), cancellationToken);
        if (!TryEnqueue(pending))
        {
            if (_disposing)
            {
                return Task.FromException<TResult>(ShuttingDown());
            }

            _counters.RecordDiscardedFull();
            RaiseThrottled(_fullEvents, WorkerPoolEventKind.DiscardedFull, "queue full", 1, worker: null, exception: null);
            return Task.FromException<TResult>(ChatException.Overloaded($"worker pool '{Name}' is full", _retryAfterHint));
        }

        _counters.RecordEnqueued();
        return cancellationToken.CanBeCanceled ? pending.Task.WaitAsync(cancellationToken) : pending.Task;
    }

    public WorkerPoolSnapshot Snapshot()
    {
        var lengths = _sharedQueue is null
            ? Array.ConvertAll(_slots, s => s.Reader.Count)
            : [_lanes is null ? _sharedQueue.Reader.Count : Math.Max(0, Volatile.Read(ref _admitted))];
        int total = 0, longest = 0, nonEmpty = 0;
        foreach (var length in lengths)
        {
            total += length;
            longest = Math.Max(longest, length);
            nonEmpty += length > 0 ? 1 : 0;
        }

        int busy = 0, inFlight = 0;
        foreach (var slot in _slots)
        {
            if (slot.Current is { } batch)
            {
                busy++;
                inFlight += batch.Requests.Count;
            }
        }

        var (enqueueRate, dequeueRate) = _counters.RatesAt(_time.GetTimestamp());
        return new WorkerPoolSnapshot
        {
            Name = Name,
            Mode = Mode,
            Workers = Workers,
            QueueCapacity = _queueCapacity,
            TotalCapacity = _totalCapacity,
            TotalQueued = total,
            MaxQueueLength = longest,
            NonEmptyQueues = nonEmpty,
            QueueLengths = lengths,
            BusyWorkers = busy,
            InFlight = inFlight,
            Enqueued = _counters.Enqueued,
            Dequeued = _counters.Dequeued,
            DiscardedFull = _counters.DiscardedFull,
            DiscardedExpired = _counters.DiscardedExpired,
            KilledWorkers = _counters.Killed,
            Failed = _counters.Failed,
            EnqueueRatePerSecond = enqueueRate,
            DequeueRatePerSecond = dequeueRate,
            WaitP99Milliseconds = _counters.WaitP99Milliseconds,
            EstimatedDrainSeconds = total == 0 ? 0 : dequeueRate > 0 ? total / dequeueRate : -1,
        };
    }

    /// <summary>
    /// Stops accepting requests, lets running batches finish (the watchdog still bounds them), fails every
    /// request still queued with unavailable ("shutting down"), then disposes the handlers.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        bool first;
        lock (_lifecycleLock)
        {
            first = !_disposing;
            _disposing = true;
        }

        if (!first)
        {
            await _disposed.Task;
            return;
        }

        try
        {
            await ShutDownAsync();
            _disposed.TrySetResult();
        }
        catch (Exception ex)
        {
            _disposed.TrySetException(ex);
            throw;
        }
    }

    private bool TryEnqueue(PendingRequest<TRequest, TResult> pending)
    {
        switch (Mode)
        {
            case DispatchMode.Hash:
                return _slots[WorkerPoolOptions.HashWorker(pending.Key, _slots.Length)].Writer!.TryWrite(pending);
            case DispatchMode.RoundRobin:
                var next = (uint)Interlocked.Increment(ref _nextWorker) % (uint)_slots.Length;
                return _slots[next].Writer!.TryWrite(pending);
            case DispatchMode.FirstAvailableSerialized:
                // Parked requests never enter the channel, so the channel alone cannot bound them: count both.
                if (Interlocked.Increment(ref _admitted) > _totalCapacity || !_lanes!.TryAdmit(pending, _sharedQueue!.Writer))
                {
                    Interlocked.Decrement(ref _admitted);
                    return false;
                }

                return true;
            default:
                return _sharedQueue!.Writer.TryWrite(pending);
        }
    }
}
