using Microsoft.Extensions.Logging;

namespace Chat.Infrastructure.Redis;

public sealed partial class RedisPresenceRegistry
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Warning, Message = "Presence write to Redis failed; this node will register its connections again")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Heartbeat of presence node {NodeId} had expired; registering again")]
    private static partial void LogHeartbeatLost(ILogger logger, string nodeId);

    [LoggerMessage(EventId = 602, Level = LogLevel.Information, Message = "Presence node {OldNodeId} registered again as {NodeId} with {Connections} connections")]
    private static partial void LogRegisteredAgain(ILogger logger, string oldNodeId, string nodeId, int connections);

    [LoggerMessage(EventId = 603, Level = LogLevel.Information, Message = "Reaped presence node {NodeId}: {Offline} users went offline")]
    private static partial void LogReaped(ILogger logger, string nodeId, int offline);
}
