using StackExchange.Redis;

namespace Chat.Infrastructure.Redis;

/// <summary>
/// Presence key names, relative to "{Redis:ChannelPrefix}:presence:" (the registry's database adds the prefix,
/// so environments sharing a Redis never see each other's keys).
/// </summary>
internal static class RedisPresenceKeys
{
    /// <summary>Sorted set of node ids, scored by their last heartbeat (Unix ms): where reapers look.</summary>
    public static readonly RedisKey Nodes = "nodes";

    /// <summary>A node's heartbeat, a string that expires unless the node keeps refreshing it.</summary>
    public static RedisKey Node(string nodeId) => "node:" + nodeId;

    /// <summary>Hash of a node's connections: connection id → user id.</summary>
    public static RedisKey NodeConnections(string nodeId) => "node:" + nodeId + ":conns";

    /// <summary>Taken with SET NX by the one node that reaps a dead node.</summary>
    public static RedisKey ReapLock(string nodeId) => "reap:" + nodeId;

    /// <summary>Hash of a user's connections: connection id → node id. The user is online while it exists.</summary>
    public static RedisKey User(string userId) => "user:" + userId;
}
