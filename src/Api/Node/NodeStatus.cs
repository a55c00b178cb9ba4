using Chat.Domain.Overload;

namespace Chat.Api.Node;

/// <summary>One node's latest state as every node publishes it for /admin/nodes: its sample, gate and pool figures.</summary>
public sealed record NodeStatus(
    string NodeId,
    string Host,
    int ProcessId,
    string Store,
    DateTimeOffset At,
    NodeSample Sample,
    LoginGateState Gate,
    double WaitP99Milliseconds,
    long DiscardedTotal)
{
    /// <summary>True for the node that answered the request (set when read, not stored).</summary>
    public bool Self { get; init; }
}
