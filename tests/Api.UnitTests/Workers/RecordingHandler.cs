using System.Collections.Concurrent;
using Chat.Domain.Workers;

namespace Chat.UnitTests.Workers;

/// <summary>A worker handler that records every batch it receives and delegates the work to the test.</summary>
internal sealed class RecordingHandler<TRequest, TResult> : IWorkerHandler<TRequest, TResult>
{
    private readonly Func<RecordingHandler<TRequest, TResult>, TRequest[], CancellationToken, Task<IReadOnlyList<TResult>>> _process;
    private readonly Action<RecordingHandler<TRequest, TResult>, TRequest[]> _onBatch;

    public RecordingHandler(
        int worker,
        int instance,
        Func<RecordingHandler<TRequest, TResult>, TRequest[], CancellationToken, Task<IReadOnlyList<TResult>>> process,
        Action<RecordingHandler<TRequest, TResult>, TRequest[]> onBatch)
    {
        Worker = worker;
        Instance = instance;
        _process = process;
        _onBatch = onBatch;
    }

    public int Worker { get; }

    /// <summary>Creation order across the whole pool: 0 for the first handler created, and so on.</summary>
    public int Instance { get; }

    public ConcurrentQueue<TRequest[]> Batches { get; } = new();

    public TaskCompletionSource Disposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<IReadOnlyList<TResult>> ProcessAsync(IReadOnlyList<TRequest> batch, CancellationToken cancellationToken)
    {
        // The pool reuses its list, so keep a copy.
        var copy = batch.ToArray();
        Batches.Enqueue(copy);
        _onBatch(this, copy);
        return _process(this, copy, cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        Disposed.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
