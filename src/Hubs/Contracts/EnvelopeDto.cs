using System.Runtime.Serialization;
using Chat.Domain.Messaging;

namespace Chat.Hubs.Contracts;

/// <summary>
/// An envelope on the wire. [DataMember] names make the JSON and MessagePack protocols use the same
/// camelCase keys. Times are Unix milliseconds so every client language reads them the same way.
/// </summary>
[DataContract]
public sealed class EnvelopeDto
{
    [DataMember(Name = "seq")]
    public long Seq { get; set; }

    [DataMember(Name = "messageId")]
    public Guid MessageId { get; set; }

    [DataMember(Name = "kind")]
    public string Kind { get; set; } = "";

    [DataMember(Name = "from")]
    public string From { get; set; } = "";

    [DataMember(Name = "groupId")]
    public string? GroupId { get; set; }

    [DataMember(Name = "payload")]
    public string? Payload { get; set; }

    [DataMember(Name = "sentAt")]
    public long SentAt { get; set; }

    /// <summary>On a copy: the recipient of the copied one-to-one message, or the sender of the message read.</summary>
    [DataMember(Name = "to")]
    public string? To { get; set; }

    /// <summary>True when the envelope shows what this account did on another of its devices (a sent message, a read mark).</summary>
    [DataMember(Name = "copy")]
    public bool Copy { get; set; }

    public static EnvelopeDto Of(Envelope envelope) => new()
    {
        Seq = envelope.Seq,
        MessageId = envelope.MessageId,
        Kind = WireKind(envelope.Kind),
        From = envelope.From,
        GroupId = envelope.GroupId,
        Payload = envelope.Payload,
        SentAt = envelope.SentAt.ToUnixTimeMilliseconds(),
        To = envelope.To,
        Copy = envelope.IsCopy,
    };

    public static string WireKind(EnvelopeKind kind) => kind switch
    {
        EnvelopeKind.Message => "message",
        EnvelopeKind.Delivered => "delivered",
        EnvelopeKind.Read => "read",
        EnvelopeKind.GroupEvent => "group_event",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
