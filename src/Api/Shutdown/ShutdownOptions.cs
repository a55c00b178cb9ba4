using System.ComponentModel.DataAnnotations;

namespace Chat.Api.Shutdown;

/// <summary>The "Shutdown" section: how long a stopping node may take to drain before it closes its sessions.</summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>
    /// The longest a stopping node waits for its worker pools to empty, once before closing its sessions and once
    /// after (for what those sessions had in flight). Keep twice this below the host's shutdown timeout (30 s).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:14")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
