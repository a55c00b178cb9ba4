using System.Diagnostics;
using Chat.Domain.Overload;
using Chat.Domain.Workers;
using Chat.Hubs.Chat;
using Microsoft.Extensions.Options;

namespace Chat.Api.Shutdown;

/// <summary>
/// A graceful stop (SIGTERM, Ctrl-C, a rolling deploy): close the login gate, let the worker pools finish what they
/// hold while open sessions keep sending, then close the sessions so their clients move to another node, then let
/// the pools finish what those sessions had in flight. Only then do the host's other services (pushes, Kestrel)
/// stop and the pools get disposed, so no queued request is failed with <c>unavailable: shutting down</c>.
/// </summary>
/// <remarks>
/// SignalR closes every connection from its own ApplicationStopping callback, and a signal raises
/// ApplicationStopping before the host stops anything. Cancellation callbacks run last registered first, so this
/// one, registered once the application has started, runs before SignalR's and blocks it until the drain is done;
/// <see cref="StoppingAsync"/> makes the host wait for the same drain before it stops the other services.
/// </remarks>
public sealed partial class GracefulShutdown(
    IHostApplicationLifetime lifetime,
    LoginGate gate,
    WorkerPoolMetrics pools,
    OpenSessions sessions,
    IOptions<ShutdownOptions> options,
    TimeProvider time,
    ILogger<GracefulShutdown> logger) : IHostedLifecycleService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly Lazy<Task> _drain = new(() => Task.Run(() => DrainAsync(options.Value.DrainTimeout, gate, pools, sessions, time, logger)));

    /// <summary>True from the moment the node starts to stop; readiness then answers 503.</summary>
    public bool IsStopping => lifetime.ApplicationStopping.IsCancellationRequested;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() => _drain.Value.GetAwaiter().GetResult());
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => _drain.Value.WaitAsync(cancellationToken);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task DrainAsync(
        TimeSpan timeout, LoginGate gate, WorkerPoolMetrics pools, OpenSessions sessions, TimeProvider time, ILogger logger)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            gate.Force(false);
            LogDraining(logger, sessions.Count, Backlog(pools));
            var idle = await WaitForIdleAsync(pools, timeout, time);
            var closed = sessions.AbortAll();
            var settled = await WaitForIdleAsync(pools, timeout, time);
            LogDrained(logger, closed, idle && settled, Backlog(pools), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e)
        {
            LogDrainFailed(logger, e);
        }
    }

    private static async Task<bool> WaitForIdleAsync(WorkerPoolMetrics pools, TimeSpan timeout, TimeProvider time)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (Backlog(pools) > 0)
        {
            if (time.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(PollInterval, time);
        }

        return true;
    }

    /// <summary>Requests queued or running in every pool of this node.</summary>
    private static long Backlog(WorkerPoolMetrics pools) =>
        pools.Pools.Select(p => p.Snapshot()).Sum(s => (long)s.TotalQueued + s.BusyWorkers);

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Stopping: login gate closed; draining {Backlog} requests while {Sessions} sessions stay open")]
    private static partial void LogDraining(ILogger logger, int sessions, long backlog);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "Stopping: closed {Sessions} sessions; drained: {Drained}, {Backlog} requests left, after {ElapsedMs:F0} ms")]
    private static partial void LogDrained(ILogger logger, int sessions, bool drained, long backlog, double elapsedMs);

    [LoggerMessage(EventId = 602, Level = LogLevel.Error, Message = "Stopping: the drain failed; the host stops without it")]
    private static partial void LogDrainFailed(ILogger logger, Exception exception);
}
