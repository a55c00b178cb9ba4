using System.Runtime.Serialization;

namespace Chat.Hubs.Contracts;

/// <summary>Exactly one of <see cref="To"/> (a user) and <see cref="GroupId"/>.</summary>
[DataContract]
public sealed class TypingRequest
{
    [DataMember(Name = "to")]
    public string? To { get; set; }

    [DataMember(Name = "groupId")]
    public string? GroupId { get; set; }
}

/// <summary>Pushed as UserTyping: <see cref="From"/> is typing to the receiver, or in <see cref="GroupId"/> when set.</summary>
[DataContract]
public sealed class TypingDto
{
    [DataMember(Name = "from")]
    public string From { get; set; } = "";

    [DataMember(Name = "groupId")]
    public string? GroupId { get; set; }
}
