namespace Chat.Domain.Workers;

/// <summary>
/// Something the host may want to log. Repetitive kinds (discards, failed batches) are raised at most once
/// per second per kind, with <see cref="Count"/> occurrences since the previous event of that kind, so
/// logging every event cannot flood the log under overload.
/// </summary>
public sealed record WorkerPoolEvent(
    string Pool,
    WorkerPoolEventKind Kind,
    string Detail,
    long Count = 1,
    int? Worker = null,
    Exception? Exception = null);
