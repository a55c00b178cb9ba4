using System.ComponentModel.DataAnnotations;

namespace Chat.Api.Node;

/// <summary>The "NodeSampler" section.</summary>
public sealed class NodeSamplerOptions
{
    public const string SectionName = "NodeSampler";

    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Samples kept for /admin/node (60 one-second samples = the last minute).</summary>
    [Range(1, 3600)]
    public int History { get; set; } = 60;

    /// <summary>Log a warning when the total backlog stays above this for <see cref="WarnBacklogAfter"/>.</summary>
    [Range(1, int.MaxValue)]
    public int WarnBacklogAbove { get; set; } = 1000;

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan WarnBacklogAfter { get; set; } = TimeSpan.FromSeconds(10);
}
