namespace Chat.FaultTests.Load;

/// <summary>Counters of one scenario's load, and what the final check found.</summary>
public sealed class LoadFigures
{
    private long _attempts;
    private long _answered;
    private long _overloaded;
    private long _unavailable;
    private long _otherErrors;
    private long _unanswered;

    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>Attempts answered "stored" (with a messageId).</summary>
    public long Answered => Interlocked.Read(ref _answered);

    public long RefusedOverloaded => Interlocked.Read(ref _overloaded);

    public long RefusedUnavailable => Interlocked.Read(ref _unavailable);

    /// <summary>Attempts refused with a code that a good request never gets (a bug); the first few are kept.</summary>
    public long OtherErrors => Interlocked.Read(ref _otherErrors);

    /// <summary>Attempts with no answer: the connection dropped or the call timed out (the send may have been stored).</summary>
    public long Unanswered => Interlocked.Read(ref _unanswered);

    public List<string> OtherErrorSamples { get; } = [];

    public int Messages { get; set; }

    public int Retried { get; set; }

    public int Unresolved { get; set; }

    public int ExpectedDeliveries { get; set; }

    public int Delivered { get; set; }

    public int Lost { get; set; }

    public int Duplicates { get; set; }

    public int WrongMessageIds { get; set; }

    public int SeqGaps { get; set; }

    public int Reconnects { get; set; }

    public void Attempt() => Interlocked.Increment(ref _attempts);

    public void Stored() => Interlocked.Increment(ref _answered);

    public void NoAnswer() => Interlocked.Increment(ref _unanswered);

    public void Refused(string code, string message)
    {
        switch (code)
        {
            case "overloaded":
                Interlocked.Increment(ref _overloaded);
                break;
            case "unavailable":
                Interlocked.Increment(ref _unavailable);
                break;
            default:
                Interlocked.Increment(ref _otherErrors);
                lock (OtherErrorSamples)
                {
                    if (OtherErrorSamples.Count < 5)
                    {
                        OtherErrorSamples.Add(message);
                    }
                }

                break;
        }
    }

    public override string ToString() =>
        $"messages {Messages}, attempts {Attempts}, answered {Answered}, refused overloaded {RefusedOverloaded} / unavailable {RefusedUnavailable} / other {OtherErrors}, " +
        $"unanswered {Unanswered}, retried {Retried}, unresolved {Unresolved}, deliveries expected {ExpectedDeliveries}, delivered {Delivered}, " +
        $"lost {Lost}, duplicates {Duplicates}, wrong ids {WrongMessageIds}, seq gaps {SeqGaps}, reconnects {Reconnects}";
}
