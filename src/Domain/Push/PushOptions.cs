using System.ComponentModel.DataAnnotations;

namespace Chat.Domain.Push;

/// <summary>The push hook: wake-ups for devices that have no live session, posted to a push gateway.</summary>
public sealed class PushOptions
{
    public const string SectionName = "Push";

    /// <summary>The gateway's URL; empty turns the hook off.</summary>
    public string WebhookUrl { get; set; } = "";

    /// <summary>Wake-ups waiting to be sent; when full, the oldest is shed.</summary>
    [Range(16, 10_000_000)]
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>Most wake-ups in one POST.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>How long the first envelope for a device waits for more, so a burst costs one wake-up.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CoalesceDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A device is woken at most once per this interval; envelopes in between join the next wake-up.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per wake-up before it is given up.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Wait before the first retry; each further retry waits twice as long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one POST may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    public bool Enabled => !string.IsNullOrWhiteSpace(WebhookUrl);
}
