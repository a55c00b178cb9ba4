using System.Runtime.Serialization;

namespace Chat.Hubs.Contracts;

[DataContract]
public sealed class MarkReadRequest
{
    [DataMember(Name = "messageIds")]
    public IReadOnlyList<Guid>? MessageIds { get; set; }
}
