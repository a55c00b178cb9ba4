using Chat.Domain.Errors;

namespace Chat.Domain.Workers;

/// <summary>Counting and raising the pool's events (throttled per kind) and the errors callers get.</summary>
public sealed partial class KeyedWorkerPool<TRequest, TResult>
{
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
