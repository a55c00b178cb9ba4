namespace Chat.Domain.Contacts;

/// <summary>Who may see a user's online status and last-seen time. Stored as a number: keep the values.</summary>
public enum LastSeenPrivacy
{
    /// <summary>Every user who has me in their address book.</summary>
    Everyone = 0,

    /// <summary>Only the users that I have in my own address book.</summary>
    Contacts = 1,

    /// <summary>Nobody.</summary>
    Nobody = 2,
}
