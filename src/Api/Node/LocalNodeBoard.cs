namespace Chat.Api.Node;

/// <summary>No Redis, so a single node: nothing to share, /admin/nodes lists the node itself.</summary>
public sealed class LocalNodeBoard : INodeBoard
{
    public string Kind => "local";

    public Task PublishAsync(NodeStatus status, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<NodeStatus>> ReadAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<NodeStatus>>([]);
}
