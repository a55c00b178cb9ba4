namespace Chat.Domain.Workers;

/// <summary>Shutdown: stop accepting, let running batches finish, fail what is queued, dispose the handlers.</summary>
public sealed partial class KeyedWorkerPool<TRequest, TResult>
{
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
}
