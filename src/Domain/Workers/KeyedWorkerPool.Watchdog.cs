using System.Globalization;
using Chat.Domain.Errors;

namespace Chat.Domain.Workers;

/// <summary>The watchdog: replaces a worker stuck in a batch and restarts loops whose handler could not be created.</summary>
public sealed partial class KeyedWorkerPool<TRequest, TResult>
{
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
}
