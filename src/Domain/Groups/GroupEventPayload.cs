using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chat.Domain.Groups;

/// <summary>
/// The payload of a "group_event" envelope: the one payload the server writes itself. Clients rebuild the
/// member list from these events, in seq order, exactly as from any other envelope.
/// </summary>
public sealed record GroupEventPayload(
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("groupId")] string GroupId,
    [property: JsonPropertyName("actor")] string Actor,
    [property: JsonPropertyName("userIds")] IReadOnlyList<string> UserIds,
    [property: JsonPropertyName("name")] string? Name = null)
{
    public const string Created = "created";
    public const string MembersAdded = "members_added";
    public const string MemberRemoved = "member_removed";
    public const string MemberLeft = "member_left";
    public const string AdminPromoted = "admin_promoted";

    private static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string ToJson() => JsonSerializer.Serialize(this, Options);
}
