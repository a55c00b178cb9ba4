using System.ComponentModel.DataAnnotations;

namespace Chat.Domain.Contacts;

/// <summary>The "Contacts" section.</summary>
public sealed class ContactsOptions
{
    public const string SectionName = "Contacts";

    /// <summary>Most user ids accepted in one address book upload.</summary>
    [Range(1, 100_000)]
    public int MaxUpload { get; set; } = 5000;
}
