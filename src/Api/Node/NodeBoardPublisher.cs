using Chat.Domain.Overload;
using Chat.Domain.Workers;
using Chat.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace Chat.Api.Node;

/// <summary>Posts this node's latest sample, gate and pool figures to the node board once per sampler interval.</summary>
public sealed partial class NodeBoardPublisher(
    INodeBoard board,
    NodeIdentity identity,
    NodeSampler sampler,
    WorkerPoolMetrics pools,
    LoginGate gate,
    StorageKind store,
    IOptions<NodeSamplerOptions> options,
    TimeProvider time,
    ILogger<NodeBoardPublisher> logger) : BackgroundService
{
    private DateTimeOffset _lastWarning = DateTimeOffset.MinValue;

    /// <summary>This node's status now, or null before the sampler's first sample.</summary>
    public NodeStatus? Current()
    {
        var sample = sampler.Last;
        if (sample is null)
        {
            return null;
        }

        var snapshots = pools.Pools.Select(p => p.Snapshot()).ToList();
        return new NodeStatus(
            identity.Id,
            Environment.MachineName,
            Environment.ProcessId,
            store.Name,
            time.GetUtcNow(),
            sample,
            gate.State,
            snapshots.Count == 0 ? 0 : snapshots.Max(s => s.WaitP99Milliseconds),
            snapshots.Sum(s => s.DiscardedFull + s.DiscardedExpired));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (Current() is not { } status)
            {
                continue;
            }

            try
            {
                await board.PublishAsync(status, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Redis being down is reported elsewhere; one line every half minute is enough here.
                if (time.GetUtcNow() - _lastWarning > TimeSpan.FromSeconds(30))
                {
                    _lastWarning = time.GetUtcNow();
                    LogPublishFailed(logger, e);
                }
            }
        }
    }

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Publishing the node status failed; will retry")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);
}
