namespace Chat.Domain.Workers;

public enum WorkerPoolEventKind
{
    /// <summary>Submits rejected because the queue was full.</summary>
    DiscardedFull,

    /// <summary>Requests dropped because their deadline passed before a worker took them.</summary>
    DiscardedExpired,

    /// <summary>A batch threw (or returned the wrong number of results); its callers got an error.</summary>
    BatchFailed,

    /// <summary>The watchdog cancelled a stuck batch and replaced its worker.</summary>
    WorkerKilled,

    /// <summary>The handler factory threw; the watchdog retries on its next tick.</summary>
    HandlerCreationFailed,

    /// <summary>Disposing a handler threw.</summary>
    HandlerDisposalFailed,

    /// <summary>A worker loop failed unexpectedly; the watchdog starts a replacement.</summary>
    WorkerFailed,

    /// <summary>A watchdog tick threw; it runs again on the next tick.</summary>
    WatchdogFailed,
}
