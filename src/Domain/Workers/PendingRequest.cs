namespace Chat.Domain.Workers;

/// <summary>
/// A submitted request and its caller's completion. It derives from the completion source to save an
/// allocation per request. Continuations run asynchronously so completing callers never runs their code on a
/// worker or the watchdog, and TrySet* lets the watchdog and a late worker race without completing twice.
/// </summary>
internal sealed class PendingRequest<TRequest, TResult> : TaskCompletionSource<TResult>
{
    public PendingRequest(string key, TRequest request, DateTimeOffset deadline, long enqueuedTimestamp, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Key = key;
        Request = request;
        Deadline = deadline;
        EnqueuedTimestamp = enqueuedTimestamp;
        CancellationToken = cancellationToken;
    }

    public string Key { get; }

    public TRequest Request { get; }

    public DateTimeOffset Deadline { get; }

    public long EnqueuedTimestamp { get; }

    /// <summary>The caller's token: checked when the request is dequeued, so a cancelled request is not run.</summary>
    public CancellationToken CancellationToken { get; }
}
