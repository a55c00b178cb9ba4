using System.Runtime.Serialization;
using Chat.Domain.Presence;

namespace Chat.Hubs.Contracts;

[DataContract]
public sealed class GetPresenceRequest
{
    [DataMember(Name = "userIds")]
    public IReadOnlyList<string?>? UserIds { get; set; }
}

[DataContract]
public sealed class GetPresenceResponse
{
    [DataMember(Name = "presences")]
    public IReadOnlyList<PresenceDto> Presences { get; set; } = [];
}

/// <summary>
/// A user's presence, pushed as PresenceChanged and returned by GetPresence. <see cref="Online"/> and
/// <see cref="LastSeen"/> are null when the user's privacy hides them from the receiver; LastSeen (Unix ms)
/// is null while the user is online or when they were never seen.
/// </summary>
[DataContract]
public sealed class PresenceDto
{
    [DataMember(Name = "userId")]
    public string UserId { get; set; } = "";

    [DataMember(Name = "online")]
    public bool? Online { get; set; }

    [DataMember(Name = "lastSeen")]
    public long? LastSeen { get; set; }

    public static PresenceDto Of(PresenceView view) => new()
    {
        UserId = view.UserId,
        Online = view.Online,
        LastSeen = view.LastSeen?.ToUnixTimeMilliseconds(),
    };
}
