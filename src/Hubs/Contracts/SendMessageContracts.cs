using System.Runtime.Serialization;

namespace Chat.Hubs.Contracts;

[DataContract]
public sealed class SendMessageRequest
{
    [DataMember(Name = "clientMessageId")]
    public string? ClientMessageId { get; set; }

    /// <summary>The recipient of a one-to-one message; exactly one of <see cref="To"/> and <see cref="GroupId"/>.</summary>
    [DataMember(Name = "to")]
    public string? To { get; set; }

    [DataMember(Name = "groupId")]
    public string? GroupId { get; set; }

    [DataMember(Name = "payload")]
    public string? Payload { get; set; }

    [DataMember(Name = "ttlSeconds")]
    public int? TtlSeconds { get; set; }
}

[DataContract]
public sealed class SendMessageResponse
{
    [DataMember(Name = "messageId")]
    public Guid MessageId { get; set; }

    /// <summary>Unix milliseconds at which the server stored the message.</summary>
    [DataMember(Name = "serverTimestamp")]
    public long ServerTimestamp { get; set; }
}
