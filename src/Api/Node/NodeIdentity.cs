namespace Chat.Api.Node;

/// <summary>This host's id on the node board: unique per process and per host in it (tests run several).</summary>
public sealed class NodeIdentity
{
    public string Id { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}".ToLowerInvariant();
}
