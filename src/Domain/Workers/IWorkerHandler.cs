namespace Chat.Domain.Workers;

/// <summary>
/// The stateful part of one worker (for example a database connection or a write buffer). The pool creates
/// one instance per worker through its factory, calls it from one task at a time, and disposes it when the
/// worker stops or is replaced.
/// </summary>
public interface IWorkerHandler<TRequest, TResult> : IAsyncDisposable
{
    /// <summary>
    /// Processes <paramref name="batch"/> in order, typically in one database transaction (group commit), and
    /// returns exactly one result per request in the same order. If it throws, every caller of the batch gets
    /// that exception (anything other than a ChatException is wrapped as unavailable), so nothing is
    /// acknowledged that was not stored. The list is reused by the pool: do not keep it after returning.
    /// <paramref name="cancellationToken"/> is cancelled when the watchdog gives up on the batch.
    /// </summary>
    Task<IReadOnlyList<TResult>> ProcessAsync(IReadOnlyList<TRequest> batch, CancellationToken cancellationToken);
}
