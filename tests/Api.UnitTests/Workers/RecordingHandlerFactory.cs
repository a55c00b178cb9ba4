using System.Collections.Concurrent;
using Chat.Domain.Workers;

namespace Chat.UnitTests.Workers;

/// <summary>Creates <see cref="RecordingHandler{TRequest, TResult}"/>s and keeps every batch in the order handlers saw them.</summary>
internal sealed class RecordingHandlerFactory<TRequest, TResult>
{
    private readonly Func<RecordingHandler<TRequest, TResult>, TRequest[], CancellationToken, Task<IReadOnlyList<TResult>>> _process;
    private readonly List<RecordingHandler<TRequest, TResult>> _created = [];

    public RecordingHandlerFactory(Func<RecordingHandler<TRequest, TResult>, TRequest[], CancellationToken, Task<IReadOnlyList<TResult>>> process)
    {
        _process = process;
    }

    public ConcurrentQueue<(int Worker, TRequest[] Batch)> Batches { get; } = new();

    public IReadOnlyList<RecordingHandler<TRequest, TResult>> Created
    {
        get
        {
            lock (_created)
            {
                return [.. _created];
            }
        }
    }

    public IEnumerable<TRequest> Seen => Batches.SelectMany(b => b.Batch);

    public IWorkerHandler<TRequest, TResult> Create(int worker)
    {
        lock (_created)
        {
            var handler = new RecordingHandler<TRequest, TResult>(worker, _created.Count, _process, (h, batch) => Batches.Enqueue((h.Worker, batch)));
            _created.Add(handler);
            return handler;
        }
    }
}
