using System.ComponentModel.DataAnnotations;

namespace Chat.Domain.Groups;

/// <summary>The "Groups" section.</summary>
public sealed class GroupOptions
{
    public const string SectionName = "Groups";

    /// <summary>Largest group, creator included. A group message is fanned out on write, one envelope per member.</summary>
    [Range(2, 100_000)]
    public int MaxMembers { get; set; } = 1024;

    [Range(1, 1000)]
    public int MaxNameLength { get; set; } = 100;
}
