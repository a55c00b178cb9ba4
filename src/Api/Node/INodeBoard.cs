namespace Chat.Api.Node;

/// <summary>Where nodes post their latest status so that any one of them can list all; shared through Redis.</summary>
public interface INodeBoard
{
    /// <summary>"redis" for a board shared by the nodes, "local" when there is none (one node).</summary>
    string Kind { get; }

    Task PublishAsync(NodeStatus status, CancellationToken cancellationToken);

    /// <summary>The statuses published recently enough to count as live.</summary>
    Task<IReadOnlyList<NodeStatus>> ReadAsync(CancellationToken cancellationToken);
}
