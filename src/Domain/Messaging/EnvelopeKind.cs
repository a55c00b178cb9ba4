namespace Chat.Domain.Messaging;

/// <summary>What an envelope carries. Stored as a small integer; on the wire as the lower-case name.</summary>
public enum EnvelopeKind : short
{
    Message = 0,
    Delivered = 1,
    Read = 2,
    GroupEvent = 3,
}
