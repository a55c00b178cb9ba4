using System.Runtime.Serialization;

namespace Chat.LoadGen;

// Client-side copies of the hub contracts (src/Hubs/Contracts). Property names are PascalCase for the JSON
// protocol (the SignalR client writes camelCase); [DataMember] names give MessagePack the same camelCase keys.

[DataContract]
public sealed class SendMessageRequest
{
    [DataMember(Name = "clientMessageId")]
    public string ClientMessageId { get; set; } = "";

    [DataMember(Name = "to")]
    public string? To { get; set; }

    [DataMember(Name = "groupId")]
    public string? GroupId { get; set; }

    [DataMember(Name = "payload")]
    public string Payload { get; set; } = "";
}

[DataContract]
public sealed class SendMessageResponse
{
    [DataMember(Name = "messageId")]
    public Guid MessageId { get; set; }

    [DataMember(Name = "serverTimestamp")]
    public long ServerTimestamp { get; set; }
}

[DataContract]
public sealed class FetchPendingRequest
{
    [DataMember(Name = "afterSeq")]
    public long AfterSeq { get; set; }

    [DataMember(Name = "limit")]
    public int Limit { get; set; } = 100;
}

[DataContract]
public sealed class FetchPendingResponse
{
    [DataMember(Name = "envelopes")]
    public IReadOnlyList<EnvelopeDto> Envelopes { get; set; } = [];

    [DataMember(Name = "hasMore")]
    public bool HasMore { get; set; }
}

[DataContract]
public sealed class AckRequest
{
    [DataMember(Name = "upToSeq")]
    public long UpToSeq { get; set; }
}

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
}

/// <summary>Names of the hub methods (case-sensitive on the wire).</summary>
public static class HubMethods
{
    public const string SendMessage = "SendMessage";
    public const string FetchPending = "FetchPending";
    public const string Ack = "Ack";
    public const string ReceiveMessage = "ReceiveMessage";
}

/// <summary>REST bodies (System.Text.Json web defaults: camelCase).</summary>
public sealed record CredentialsBody(string UserId, string Password);

public sealed record TokenBody(string AccessToken, DateTimeOffset ExpiresAt);

public sealed record CreateGroupBody(string Name, IReadOnlyList<string> Members);

public sealed record GroupBody(string GroupId);
