using System.Threading.Channels;
using Chat.Domain.Errors;

namespace Chat.Domain.Workers;

/// <summary>The worker loop: create handlers, fill a batch from the queue, drop what cannot run, run it and answer its callers.</summary>
public sealed partial class KeyedWorkerPool<TRequest, TResult>
{
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
}
