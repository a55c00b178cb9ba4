namespace Chat.Domain.Workers;

/// <summary>
/// The batch a worker is processing, as seen by the watchdog. Exactly one of the worker (finishing) and the
/// watchdog (killing) wins, so callers are answered once and a killed worker never touches its queue again.
/// </summary>
internal sealed class RunningBatch<TRequest, TResult>
{
    private const int Running = 0;
    private const int Finished = 1;
    private const int Killed = 2;

    private int _state;

    public RunningBatch(List<PendingRequest<TRequest, TResult>> requests, long startTimestamp, CancellationTokenSource cancellation)
    {
        Requests = requests;
        StartTimestamp = startTimestamp;
        Cancellation = cancellation;
    }

    public List<PendingRequest<TRequest, TResult>> Requests { get; }

    public long StartTimestamp { get; }

    public CancellationTokenSource Cancellation { get; }

    public bool TryFinish() => Interlocked.CompareExchange(ref _state, Finished, Running) == Running;

    public bool TryKill() => Interlocked.CompareExchange(ref _state, Killed, Running) == Running;
}
