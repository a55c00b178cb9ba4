using System.ComponentModel.DataAnnotations;

namespace Chat.Domain.Overload;

/// <summary>The "LoginGate" section: when new sessions are refused to protect the ones already connected.</summary>
public sealed class LoginGateOptions
{
    public const string SectionName = "LoginGate";

    /// <summary>Total queued requests above which the gate starts counting towards closing.</summary>
    [Range(1, int.MaxValue)]
    public int CloseAboveBacklog { get; set; } = 5000;

    /// <summary>How long the backlog must stay above <see cref="CloseAboveBacklog"/> before the gate closes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CloseAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The gate reopens (unless an operator closed it) once the backlog falls below this.</summary>
    [Range(0, int.MaxValue)]
    public int ReopenBelowBacklog { get; set; } = 500;

    /// <summary>Sent as Retry-After to refused clients, which should add jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(10);
}
