using System.Globalization;
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
public sealed class KeyedWorkerPool<TRequest, TResult> : IWorkerPoolInfo, IAsyncDisposable
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

        var busy = 0;
        foreach (var slot in _slots)
        {
            busy += slot.Current is null ? 0 : 1;
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
                return _slots[StableHash.Partition(pending.Key, _slots.Length)].Writer!.TryWrite(pending);
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

    private IWorkerHandler<TRequest, TResult>[] CreateInitialHandlers()
    {
        var handlers = new IWorkerHandler<TRequest, TResult>[Workers];
        var created = 0;
        try
        {
            for (; created < Workers; created++)
            {
                handlers[created] = _handlerFactory(created) ?? throw new InvalidOperationException("The handler factory returned null.");
            }

            return handlers;
        }
        catch
        {
            _metrics?.Unregister(this);
            for (var i = 0; i < created; i++)
            {
                // A constructor cannot await; this only runs when the pool could not be built at all.
                handlers[i].DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            throw;
        }
    }

    private async Task RunWorkerAsync(WorkerSlot<TRequest, TResult> slot, IWorkerHandler<TRequest, TResult>? handler)
    {
        var batch = new List<PendingRequest<TRequest, TResult>>(_maxBatchSize);
        var incoming = new List<PendingRequest<TRequest, TResult>>(_maxBatchSize);
        var requests = new List<TRequest>(_maxBatchSize);
        var cancellation = new CancellationTokenSource();
        var abandoned = false;
        try
        {
            while (await FillBatchAsync(slot, batch, incoming))
            {
                DropUnrunnable(slot, batch, requests);
                if (batch.Count > 0)
                {
                    if (handler is null || _disposing)
                    {
                        var error = ShuttingDown();
                        foreach (var pending in batch)
                        {
                            pending.TrySetException(error);
                        }
                    }
                    else if (!await ProcessBatchAsync(slot, handler, batch, requests, cancellation))
                    {
                        abandoned = true;
                        return;
                    }
                    else if (!cancellation.TryReset())
                    {
                        // Reuse saves an allocation per batch; a source that cannot be reset is replaced.
                        cancellation.Dispose();
                        cancellation = new CancellationTokenSource();
                    }
                }

                batch.Clear();
                requests.Clear();
            }
        }
        catch (Exception ex)
        {
            // A defect in the pool itself: answer whoever is waiting here, report it, and let the watchdog
            // start a fresh worker on this queue (unless it already replaced this one).
            var running = slot.Current;
            if (running is not null && !running.TryFinish())
            {
                abandoned = true;
                return;
            }

            slot.Current = null;
            var error = ChatException.Unavailable($"worker pool '{Name}' failed", ex);
            foreach (var pending in batch)
            {
                pending.TrySetException(error);
            }

            lock (_lifecycleLock)
            {
                slot.NeedsRestart = true;
            }

            Raise(new WorkerPoolEvent(Name, WorkerPoolEventKind.WorkerFailed, "worker loop failed", Worker: slot.Index, Exception: ex));
        }
        finally
        {
            // An abandoned batch's token source stays alive: the watchdog may still be cancelling it.
            if (!abandoned)
            {
                cancellation.Dispose();
            }

            if (handler is not null)
            {
                await DisposeHandlerAsync(slot.Index, handler);
            }
        }
    }

    /// <summary>
    /// Waits for one request, then takes whatever else is already queued up to MaxBatchSize without waiting
    /// (pipelining). Returns false once the queue is closed and empty.
    /// </summary>
    private async ValueTask<bool> FillBatchAsync(
        WorkerSlot<TRequest, TResult> slot,
        List<PendingRequest<TRequest, TResult>> batch,
        List<PendingRequest<TRequest, TResult>> incoming)
    {
        // Serialized mode: requests parked behind the keys this worker owns are its next work.
        _lanes?.Handover(slot.OwnedKeys, batch, _maxBatchSize);
        var reader = slot.Reader;
        incoming.Clear();
        TakeQueued(reader, incoming, _maxBatchSize - batch.Count);
        if (incoming.Count == 0 && batch.Count == 0)
        {
            // ReadAsync hands an item to a single waiting worker, so idle workers on a shared queue do not all wake.
            try
            {
                incoming.Add(await reader.ReadAsync());
            }
            catch (ChannelClosedException)
            {
                return false;
            }

            TakeQueued(reader, incoming, _maxBatchSize);
        }

        batch.AddRange(incoming);
        if (_lanes is not null)
        {
            // The shared queue holds at most one request per key, so each is a key this worker now owns.
            foreach (var pending in incoming)
            {
                slot.OwnedKeys.Add(pending.Key);
            }
        }

        return true;
    }

    private static void TakeQueued(ChannelReader<PendingRequest<TRequest, TResult>> reader, List<PendingRequest<TRequest, TResult>> into, int limit)
    {
        while (into.Count < limit && reader.TryRead(out var pending))
        {
            into.Add(pending);
        }
    }

    /// <summary>Records the dequeue, answers cancelled and expired requests without running them, and keeps the rest.</summary>
    private void DropUnrunnable(WorkerSlot<TRequest, TResult> slot, List<PendingRequest<TRequest, TResult>> batch, List<TRequest> requests)
    {
        var timestamp = _time.GetTimestamp();
        var now = _time.GetUtcNow();
        _counters.RecordDequeued(batch.Count);
        if (_lanes is not null)
        {
            Interlocked.Add(ref _admitted, -batch.Count);
        }

        var kept = 0;
        var expired = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var pending = batch[i];
            _counters.RecordWait(_time.GetElapsedTime(pending.EnqueuedTimestamp, timestamp));
            if (pending.CancellationToken.IsCancellationRequested)
            {
                pending.TrySetCanceled(pending.CancellationToken);
            }
            else if (now >= pending.Deadline)
            {
                expired++;
                pending.TrySetException(RequestExpired());
            }
            else
            {
                batch[kept++] = pending;
                requests.Add(pending.Request);
            }
        }

        batch.RemoveRange(kept, batch.Count - kept);
        if (expired > 0)
        {
            RecordExpired(expired, slot.Index);
        }
    }

    /// <summary>Runs one batch and answers its callers; false when the watchdog killed it meanwhile.</summary>
    private async Task<bool> ProcessBatchAsync(
        WorkerSlot<TRequest, TResult> slot,
        IWorkerHandler<TRequest, TResult> handler,
        List<PendingRequest<TRequest, TResult>> batch,
        List<TRequest> requests,
        CancellationTokenSource cancellation)
    {
        var started = _time.GetTimestamp();
        var running = new RunningBatch<TRequest, TResult>(batch, started, cancellation);
        slot.Current = running;
        IReadOnlyList<TResult>? results = null;
        Exception? error = null;
        try
        {
            results = await handler.ProcessAsync(requests, cancellation.Token);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        if (!running.TryFinish())
        {
            // The watchdog answered these callers and gave the queue to a replacement: drop the late outcome.
            return false;
        }

        slot.Current = null;
        if (error is null && (results is null || results.Count != batch.Count))
        {
            error = new InvalidOperationException($"The handler returned {results?.Count ?? 0} results for {batch.Count} requests.");
        }

        _counters.RecordBatch(batch.Count, _time.GetElapsedTime(started), failed: error is not null);
        if (error is null)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].TrySetResult(results![i]);
            }
        }
        else
        {
            // All or nothing: the batch was one unit of work, so no caller is told it was stored.
            var failure = error as ChatException ?? ChatException.Unavailable($"worker pool '{Name}' could not process the request", error);
            foreach (var pending in batch)
            {
                pending.TrySetException(failure);
            }

            RaiseThrottled(_failureEvents, WorkerPoolEventKind.BatchFailed, "batch failed", 1, slot.Index, error);
        }

        return true;
    }

    private void OnWatchdogTick()
    {
        if (Interlocked.Exchange(ref _watchdogBusy, 1) == 1)
        {
            return;
        }

        try
        {
            var now = _time.GetTimestamp();
            _counters.SampleThroughput(now);
            foreach (var slot in _slots)
            {
                var running = slot.Current;
                if (running is not null && _time.GetElapsedTime(running.StartTimestamp, now) > _stuckAfter && running.TryKill())
                {
                    Kill(slot, running);
                    continue;
                }

                WorkerPoolEvent? failure = null;
                lock (_lifecycleLock)
                {
                    if (slot.NeedsRestart)
                    {
                        failure = StartLoop(slot);
                    }
                }

                Raise(failure);
            }
        }
        catch (Exception ex)
        {
            // A timer callback must never throw; report and try again on the next tick.
            Raise(new WorkerPoolEvent(Name, WorkerPoolEventKind.WatchdogFailed, "watchdog failed", Exception: ex));
        }
        finally
        {
            Volatile.Write(ref _watchdogBusy, 0);
        }
    }

    /// <summary>
    /// Answers the stuck batch's callers, signals its handler to stop and starts a replacement worker with a
    /// fresh handler on the same queue. The old handler is disposed by its loop if its call ever returns.
    /// </summary>
    private void Kill(WorkerSlot<TRequest, TResult> slot, RunningBatch<TRequest, TResult> running)
    {
        slot.Current = null;
        _counters.RecordKilled();
        var detail = string.Create(CultureInfo.InvariantCulture, $"worker stuck for more than {_stuckAfter.TotalSeconds:0.###} s in pool '{Name}'");
        var error = ChatException.Unavailable(detail);
        foreach (var pending in running.Requests)
        {
            pending.TrySetException(error);
        }

        // Asynchronously, so a handler's cancellation callbacks do not run on the watchdog thread.
        _ = running.Cancellation.CancelAsync();

        WorkerPoolEvent? failure;
        lock (_lifecycleLock)
        {
            failure = StartLoop(slot);
        }

        Raise(new WorkerPoolEvent(Name, WorkerPoolEventKind.WorkerKilled, detail, Worker: slot.Index));
        Raise(failure);
    }

    /// <summary>Starts a loop for <paramref name="slot"/>; call under the lifecycle lock. Returns an event if the factory failed.</summary>
    private WorkerPoolEvent? StartLoop(WorkerSlot<TRequest, TResult> slot)
    {
        // While shutting down, the replacement only fails what is queued, so it needs no handler.
        IWorkerHandler<TRequest, TResult>? handler = null;
        if (!_disposing)
        {
            try
            {
                handler = _handlerFactory(slot.Index) ?? throw new InvalidOperationException("The handler factory returned null.");
            }
            catch (Exception ex)
            {
                // The queue waits (its requests expire meanwhile) and the watchdog retries on its next tick.
                slot.NeedsRestart = true;
                return new WorkerPoolEvent(Name, WorkerPoolEventKind.HandlerCreationFailed, "handler factory failed", Worker: slot.Index, Exception: ex);
            }
        }

        slot.NeedsRestart = false;
        slot.Loop = Task.Run(() => RunWorkerAsync(slot, handler));
        return null;
    }

    private async Task ShutDownAsync()
    {
        _metrics?.Unregister(this);
        _sharedQueue?.Writer.TryComplete();
        foreach (var slot in _slots)
        {
            slot.Writer?.TryComplete();
        }

        lock (_lifecycleLock)
        {
            foreach (var slot in _slots.Where(s => s.NeedsRestart))
            {
                StartLoop(slot);
            }
        }

        // The watchdog keeps running so a stuck batch cannot hold up shutdown for ever; it may replace a loop
        // meanwhile, so wait until the set of loops is stable.
        while (true)
        {
            Task[] loops;
            lock (_lifecycleLock)
            {
                loops = Array.ConvertAll(_slots, s => s.Loop);
            }

            await Task.WhenAll(loops);
            lock (_lifecycleLock)
            {
                if (_slots.Select(s => s.Loop).SequenceEqual(loops))
                {
                    break;
                }
            }
        }

        await _watchdog.DisposeAsync();

        // No worker reads any more, so nothing else can take what is left.
        var leftovers = new List<PendingRequest<TRequest, TResult>>();
        foreach (var reader in _slots.Select(s => s.Reader).Distinct())
        {
            TakeQueued(reader, leftovers, int.MaxValue);
        }

        _lanes?.DrainAll(leftovers);
        if (leftovers.Count > 0)
        {
            _counters.RecordDequeued(leftovers.Count);
            var error = ShuttingDown();
            foreach (var pending in leftovers)
            {
                pending.TrySetException(error);
            }
        }
    }

    private async ValueTask DisposeHandlerAsync(int worker, IWorkerHandler<TRequest, TResult> handler)
    {
        try
        {
            await handler.DisposeAsync();
        }
        catch (Exception ex)
        {
            Raise(new WorkerPoolEvent(Name, WorkerPoolEventKind.HandlerDisposalFailed, "handler disposal failed", Worker: worker, Exception: ex));
        }
    }

    private void RecordExpired(int count, int? worker)
    {
        _counters.RecordExpired(count);
        RaiseThrottled(_expiredEvents, WorkerPoolEventKind.DiscardedExpired, "request expired", count, worker, exception: null);
    }

    private void RaiseThrottled(EventThrottle throttle, WorkerPoolEventKind kind, string detail, long occurrences, int? worker, Exception? exception)
    {
        if (EventRaised is not null && throttle.TryRecord(occurrences, out var count))
        {
            Raise(new WorkerPoolEvent(Name, kind, detail, count, worker, exception));
        }
    }

    private void Raise(WorkerPoolEvent? poolEvent)
    {
        var subscribers = EventRaised;
        if (poolEvent is null || subscribers is null)
        {
            return;
        }

        try
        {
            subscribers(poolEvent);
        }
        catch (Exception)
        {
            // A subscriber's failure must not break a worker or the watchdog.
        }
    }

    private ChatException RequestExpired() => ChatException.Overloaded("request expired", _retryAfterHint);

    private static ChatException ShuttingDown() => ChatException.Unavailable("shutting down");
}
