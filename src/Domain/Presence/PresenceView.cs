namespace Chat.Domain.Presence;

/// <summary>
/// What one viewer may know of a user. <see cref="Online"/> and <see cref="LastSeen"/> are both null when the
/// user's privacy hides them from the viewer; <see cref="LastSeen"/> is null while online or when never seen.
/// </summary>
public sealed record PresenceView(string UserId, bool? Online, DateTimeOffset? LastSeen);
