using System.Runtime.Serialization;

namespace Chat.Hubs.Contracts;

[DataContract]
public sealed class AckRequest
{
    [DataMember(Name = "upToSeq")]
    public long UpToSeq { get; set; }
}
