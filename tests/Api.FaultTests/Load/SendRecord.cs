namespace Chat.FaultTests.Load;

/// <summary>One message a load client sends: every attempt uses the same clientMessageId until one is answered.</summary>
public sealed class SendRecord(string clientMessageId, string sender, string? to, string? groupId, IReadOnlyList<string> recipients)
{
    public string ClientMessageId { get; } = clientMessageId;

    public string Sender { get; } = sender;

    public string? To { get; } = to;

    public string? GroupId { get; } = groupId;

    /// <summary>Whose mailboxes must hold it exactly once: the peer, or every other member of the group.</summary>
    public IReadOnlyList<string> Recipients { get; } = recipients;

    public int Attempts { get; set; }

    /// <summary>The messageId of the answer that said "stored"; null while no attempt was answered that way.</summary>
    public Guid? AnsweredId { get; set; }

    public long AnsweredAt { get; set; }

    /// <summary>When the last attempt started (Stopwatch timestamp).</summary>
    public long LastAttemptAt { get; set; }
}
