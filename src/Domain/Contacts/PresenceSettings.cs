namespace Chat.Domain.Contacts;

/// <summary>A user's presence privacy and the last time they went offline (null: never seen).</summary>
public sealed record PresenceSettings(LastSeenPrivacy Privacy, DateTimeOffset? LastSeen)
{
    /// <summary>What a user without a stored row has.</summary>
    public static PresenceSettings Default { get; } = new(LastSeenPrivacy.Everyone, null);
}
