using System.Runtime.Serialization;

namespace Chat.Hubs.Contracts;

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
