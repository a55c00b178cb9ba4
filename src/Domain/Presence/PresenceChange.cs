namespace Chat.Domain.Presence;

/// <summary>A user's first connection opened (<see cref="Online"/>) or last one closed, at <see cref="At"/>.</summary>
public sealed record PresenceChange(string UserId, bool Online, DateTimeOffset At);
