using Chat.Domain.Workers;

namespace Chat.Api.Messaging;

/// <summary>Logs worker pool events; the pool already throttles repetitive kinds to one event per second.</summary>
public static partial class WorkerPoolLog
{
    public static void Write(ILogger logger, WorkerPoolEvent e)
    {
        switch (e.Kind)
        {
            case WorkerPoolEventKind.DiscardedFull or WorkerPoolEventKind.DiscardedExpired:
                LogDiscarded(logger, e.Pool, e.Kind, e.Count, e.Detail);
                break;
            default:
                LogFailure(logger, e.Exception, e.Pool, e.Kind, e.Worker, e.Detail);
                break;
        }
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "Pool {Pool} discarded {Count} requests ({Kind}): {Detail}")]
    private static partial void LogDiscarded(ILogger logger, string pool, WorkerPoolEventKind kind, long count, string detail);

    [LoggerMessage(EventId = 401, Level = LogLevel.Error, Message = "Pool {Pool}: {Kind} on worker {Worker}: {Detail}")]
    private static partial void LogFailure(ILogger logger, Exception? exception, string pool, WorkerPoolEventKind kind, int? worker, string detail);
}
