using System.Diagnostics.Metrics;

namespace Chat.Hubs.Chat;

/// <summary>Real-time session instruments on the meter "Chat.Hubs". No user or connection ids as tags.</summary>
public sealed class ChatMetrics
{
    public const string MeterName = "Chat.Hubs";

    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _pushed;
    private readonly Counter<long> _pushDropped;
    private long _activeConnections;
    private long _sentTotal;
    private long _pushedTotal;

    public ChatMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _connections = meter.CreateUpDownCounter<long>("chat.connections.active", "{connection}", "Hub connections open on this node.");
        _sent = meter.CreateCounter<long>("chat.messages.sent", "{message}", "Messages accepted from senders (stored and acknowledged).");
        _pushed = meter.CreateCounter<long>("chat.envelopes.pushed", "{envelope}", "Envelopes pushed to recipients' live connections.");
        _pushDropped = meter.CreateCounter<long>("chat.envelopes.push_dropped", "{envelope}", "Pushes dropped (queue full or backplane error); recipients sync them from the store.");
    }

    /// <summary>Publishes every instrument at zero, so an alert on its rate works before the first event.</summary>
    public void SeedZeros()
    {
        _connections.Add(0);
        _sent.Add(0);
        _pushed.Add(0);
        _pushDropped.Add(0);
    }

    public long ActiveConnections => Interlocked.Read(ref _activeConnections);

    /// <summary>Monotonic totals, for the node sampler's per-second rates.</summary>
    public long SentTotal => Interlocked.Read(ref _sentTotal);

    public long PushedTotal => Interlocked.Read(ref _pushedTotal);

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _activeConnections);
        _connections.Add(1);
    }

    public void ConnectionClosed()
    {
        Interlocked.Decrement(ref _activeConnections);
        _connections.Add(-1);
    }

    public void MessageSent()
    {
        Interlocked.Increment(ref _sentTotal);
        _sent.Add(1);
    }

    public void PushDropped() => _pushDropped.Add(1);

    public void EnvelopePushed()
    {
        Interlocked.Increment(ref _pushedTotal);
        _pushed.Add(1);
    }
}
