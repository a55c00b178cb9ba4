using Chat.Domain.Workers;

namespace Chat.Api.Admin;

public sealed record QueueLength(int Worker, int Length);

public sealed record PoolBacklog(WorkerPoolSnapshot Pool, IReadOnlyList<QueueLength> TopQueues);

public sealed record BacklogResponse(DateTimeOffset At, long TotalQueued, bool GateOpen, IReadOnlyList<PoolBacklog> Pools);

public sealed record GateRequest(bool? Open);

public sealed record UserStatsResponse(string UserId, long PendingCount, DateTimeOffset? OldestPendingAt, double? OldestPendingAgeSeconds, long LastSeq);
