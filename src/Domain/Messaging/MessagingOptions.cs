using System.ComponentModel.DataAnnotations;

namespace Chat.Domain.Messaging;

/// <summary>Limits of the delivery protocol. Bound from the "Messaging" configuration section.</summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    /// <summary>Largest payload, in UTF-8 bytes.</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = 64 * 1024;

    /// <summary>Undelivered envelopes (and the idempotency records of sends) are deleted after this age.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(30);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    [Range(1, 100_000)]
    public int SweepBatchSize { get; set; } = 1000;

    [Range(1, 500)]
    public int MaxFetchLimit { get; set; } = 500;

    [Range(1, 256)]
    public int MaxClientMessageIdLength { get; set; } = 64;
}
