using System.Runtime.Serialization;

namespace Chat.RelayServer;

// Copies of the chat server's wire contracts (src/Hubs/Contracts, docs/PROTOCOL.md). [DataMember] names give the
// MessagePack protocol the same camelCase keys that the JSON protocol writes.

[DataContract]
public sealed class SendMessageRequest
{
    [DataMember(Name = "clientMessageId")]
    public string? ClientMessageId { get; set; }

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
public sealed class MarkReadRequest
{
    [DataMember(Name = "messageIds")]
    public IReadOnlyList<Guid>? MessageIds { get; set; }
}

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

[DataContract]
public sealed class PresenceDto
{
    [DataMember(Name = "userId")]
    public string UserId { get; set; } = "";

    [DataMember(Name = "online")]
    public bool? Online { get; set; }

    [DataMember(Name = "lastSeen")]
    public long? LastSeen { get; set; }
}

[DataContract]
public sealed class TypingRequest
{
    [DataMember(Name = "to")]
    public string? To { get; set; }

    [DataMember(Name = "groupId")]
    public string? GroupId { get; set; }
}

/// <summary>Pushed as ReceiveMessage. Kind is the lower-case wire string ("message"); times are Unix milliseconds.</summary>
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

// REST bodies (System.Text.Json web defaults: camelCase; times ISO 8601).
public sealed record CredentialsRequest(string UserId, string Password);

public sealed record AccountCreatedResponse(string UserId);

public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt);

public sealed record CreateGroupRequest(string Name, IReadOnlyList<string>? Members);

public sealed record GroupMemberResponse(string UserId, string Role, DateTimeOffset JoinedAt);

public sealed record GroupResponse(string GroupId, string Name, string CreatedBy, DateTimeOffset CreatedAt, IReadOnlyList<GroupMemberResponse> Members);
