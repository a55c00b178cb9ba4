using System.ComponentModel.DataAnnotations;

namespace Chat.Domain.Presence;

/// <summary>The "Typing" section: the per-user rate limit of typing notifications.</summary>
public sealed class TypingOptions
{
    public const string SectionName = "Typing";

    /// <summary>Notifications a user may send per <see cref="Window"/> (on one node).</summary>
    [Range(1, 10_000)]
    public int MaxPerWindow { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);
}
