namespace Chat.Domain.Workers;

/// <summary>How a <see cref="KeyedWorkerPool{TRequest, TResult}"/> chooses the worker for a request.</summary>
public enum DispatchMode
{
    /// <summary>
    /// The key's stable hash picks the worker, so one key always goes to the same worker: its requests run
    /// one at a time in submission order, while different keys run in parallel on different workers.
    /// </summary>
    Hash,

    /// <summary>Workers take turns regardless of the key; one key may run on several workers at once.</summary>
    RoundRobin,

    /// <summary>One shared queue; whichever worker is idle takes the next requests. Keys are not serialized.</summary>
    FirstAvailable,

    /// <summary>
    /// Like <see cref="FirstAvailable"/>, but two requests with the same key never run at the same time and
    /// keep their submission order: a request whose key is busy waits behind it for the worker that runs it.
    /// </summary>
    FirstAvailableSerialized,
}
