using System.Diagnostics.Metrics;
using Chat.Domain.Overload;
using Chat.Domain.Workers;
using Chat.Hubs.Chat;
using Microsoft.Extensions.Options;

namespace Chat.Api.Node;

/// <summary>
/// Samples the node once per interval: backlog across all worker pools, message rates, connections, thread
/// pool and GC. Feeds the login gate, keeps the last minute for /admin/node, and warns when the backlog persists.
/// </summary>
public sealed partial class NodeSampler : BackgroundService
{
    public const string MeterName = "Chat.Node";

    private readonly WorkerPoolMetrics _pools;
    private readonly ChatMetrics _chat;
    private readonly LoginGate _gate;
    private readonly NodeSamplerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NodeSampler> _logger;
    private readonly Lock _lock = new();
    private readonly Queue<NodeSample> _history = new();
    private NodeSample? _last;
    private long _lastSent;
    private long _lastPushed;
    private long _lastTimestamp;
    private DateTimeOffset? _backlogHighSince;
    private DateTimeOffset _lastWarning = DateTimeOffset.MinValue;

    public NodeSampler(WorkerPoolMetrics pools, ChatMetrics chat, LoginGate gate, IOptions<NodeSamplerOptions> options, TimeProvider time, IMeterFactory meters, ILogger<NodeSampler> logger)
    {
        _pools = pools;
        _chat = chat;
        _gate = gate;
        _options = options.Value;
        _time = time;
        _logger = logger;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("chat.node.backlog", () => _last?.TotalQueued ?? 0, "{request}", "Requests queued in all worker pools of this node.");
        meter.CreateObservableGauge("chat.node.gate.open", () => _gate.IsOpen ? 1 : 0, "{state}", "1 while new sessions are admitted.");
        meter.CreateObservableGauge("chat.node.inbound.rate", () => _last?.InboundPerSecond ?? 0, "{message}/s", "Messages accepted per second.");
        meter.CreateObservableGauge("chat.node.outbound.rate", () => _last?.OutboundPerSecond ?? 0, "{envelope}/s", "Envelopes pushed per second.");
    }

    public NodeSample? Last => _last;

    public IReadOnlyList<NodeSample> History()
    {
        lock (_lock)
        {
            return [.. _history];
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                SampleOnce();
            }
            catch (Exception e)
            {
                LogSampleFailed(_logger, e);
            }
        }
    }

    public NodeSample SampleOnce()
    {
        long total = 0, largest = 0, inFlight = 0;
        var nonEmpty = 0;
        foreach (var pool in _pools.Pools)
        {
            var snapshot = pool.Snapshot();
            total += snapshot.TotalQueued;
            inFlight += snapshot.InFlight;
            largest = Math.Max(largest, snapshot.MaxQueueLength);
            nonEmpty += snapshot.NonEmptyQueues;
        }

        var now = _time.GetUtcNow();
        var timestamp = _time.GetTimestamp();
        var (sent, pushed) = (_chat.SentTotal, _chat.PushedTotal);
        var seconds = _lastTimestamp == 0 ? 0 : _time.GetElapsedTime(_lastTimestamp, timestamp).TotalSeconds;
        // The gate counts what the workers hold too: with large batches a slow database keeps most of the accepted
        // requests inside the running batches, and the queue alone would look short.
        _gate.Observe(total + inFlight);
        var sample = new NodeSample(
            now,
            total,
            largest,
            nonEmpty,
            seconds > 0 ? (sent - _lastSent) / seconds : 0,
            seconds > 0 ? (pushed - _lastPushed) / seconds : 0,
            _chat.ActiveConnections,
            ThreadPool.PendingWorkItemCount,
            ThreadPool.ThreadCount,
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2),
            GC.GetTotalPauseDuration().TotalMilliseconds,
            _gate.IsOpen);
        (_lastSent, _lastPushed, _lastTimestamp) = (sent, pushed, timestamp);

        lock (_lock)
        {
            _history.Enqueue(sample);
            while (_history.Count > _options.History)
            {
                _history.Dequeue();
            }

            _last = sample;
        }

        WarnIfBacklogPersists(sample);
        return sample;
    }

    private void WarnIfBacklogPersists(NodeSample sample)
    {
        if (sample.TotalQueued <= _options.WarnBacklogAbove)
        {
            _backlogHighSince = null;
            return;
        }

        _backlogHighSince ??= sample.At;
        var persisted = sample.At - _backlogHighSince.Value;
        if (persisted >= _options.WarnBacklogAfter && sample.At - _lastWarning >= TimeSpan.FromSeconds(10))
        {
            _lastWarning = sample.At;
            LogBacklogPersists(_logger, sample.TotalQueued, persisted.TotalSeconds, sample.GateOpen);
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Backlog of {Backlog} requests has persisted for {Seconds:F0} s (login gate open: {GateOpen})")]
    private static partial void LogBacklogPersists(ILogger logger, long backlog, double seconds, bool gateOpen);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Node sample failed")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
