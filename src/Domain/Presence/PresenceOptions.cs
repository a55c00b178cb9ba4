using System.ComponentModel.DataAnnotations;

namespace Chat.Domain.Presence;

/// <summary>The "Presence" section.</summary>
public sealed class PresenceOptions
{
    public const string SectionName = "Presence";

    /// <summary>
    /// The users of a node that stops heartbeating appear offline within this time. A node heartbeats every
    /// third of it, its heartbeat expires after two thirds, and every node looks for expired ones every third.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.300", "01:00:00")]
    public TimeSpan NodeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most user ids in one GetPresence call.</summary>
    [Range(1, 10_000)]
    public int MaxQueryUsers { get; set; } = 500;

    /// <summary>Queues that publish presence changes; one user's changes always go through the same one, in order.</summary>
    [Range(1, 64)]
    public int FanoutLanes { get; set; } = 4;

    /// <summary>Changes waiting per queue; when full the oldest is dropped (presence is noise under overload).</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Watchers read from the store per page when a change is published.</summary>
    [Range(1, 100_000)]
    public int WatcherPageSize { get; set; } = 1000;

    public TimeSpan HeartbeatInterval => NodeTimeout / 3;

    public TimeSpan HeartbeatTtl => NodeTimeout * 2 / 3;
}
