using System.Threading.Channels;

namespace Chat.Domain.Workers;

/// <summary>
/// One worker position: its queue and the state that outlives a killed worker, so the replacement loop
/// continues where the old one stopped.
/// </summary>
internal sealed class WorkerSlot<TRequest, TResult>
{
    private RunningBatch<TRequest, TResult>? _current;

    public WorkerSlot(int index, ChannelReader<PendingRequest<TRequest, TResult>> reader, ChannelWriter<PendingRequest<TRequest, TResult>>? writer)
    {
        Index = index;
        Reader = reader;
        Writer = writer;
    }

    public int Index { get; }

    /// <summary>The worker's own queue, or the shared queue in the FirstAvailable modes.</summary>
    public ChannelReader<PendingRequest<TRequest, TResult>> Reader { get; }

    /// <summary>Set only when the worker has its own queue.</summary>
    public ChannelWriter<PendingRequest<TRequest, TResult>>? Writer { get; }

    /// <summary>Keys this worker owns in FirstAvailableSerialized mode; used only by the slot's current loop.</summary>
    public List<string> OwnedKeys { get; } = [];

    /// <summary>Read by the watchdog, written by the loop.</summary>
    public RunningBatch<TRequest, TResult>? Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }

    /// <summary>The current loop; guarded by the pool's lifecycle lock.</summary>
    public Task Loop { get; set; } = Task.CompletedTask;

    /// <summary>Set when the handler factory failed; guarded by the pool's lifecycle lock.</summary>
    public bool NeedsRestart { get; set; }
}
