namespace Chat.Domain.Messaging;

/// <summary>
/// How a pipelined store applies one batch in several transactions, each taking its row locks in a single sorted
/// pass: the hot-path operations (one-to-one sends, acks, receipt moves) together, the other single-key operations
/// together, and each operation that locks many mailboxes (a group's fan-out) alone. Two sorted passes in one
/// transaction (a fan-out after a receipt store, or two fan-outs to different member sets) can deadlock with a
/// transaction of another worker. The parts run in this order; one key's operations never land in two parts, except
/// several fan-outs of one group, whose parts keep their queue order.
/// </summary>
public static class BatchSplit
{
    /// <summary>The parts (positions in <paramref name="batch"/>, each in queue order), or null when the batch stays one transaction.</summary>
    public static IReadOnlyList<int[]>? Of(IReadOnlyList<MailboxOperation> batch)
    {
        var direct = new List<int>(batch.Count);
        var others = new List<int>();
        var many = new List<int>();
        for (var i = 0; i < batch.Count; i++)
        {
            (batch[i].LocksManyMailboxes ? many : IsDirect(batch[i]) ? direct : others).Add(i);
        }

        if ((direct.Count > 0 ? 1 : 0) + (others.Count > 0 ? 1 : 0) + many.Count < 2)
        {
            return null; // one part already
        }

        // Which part each key is in (many-mailbox operations: -1, as one group's fan-outs may share a key).
        var partOfKey = new Dictionary<string, int>(batch.Count, StringComparer.Ordinal);
        if (!Claim(batch, direct, 0, partOfKey) || !Claim(batch, others, 1, partOfKey) || !Claim(batch, many, -1, partOfKey))
        {
            return null;
        }

        var parts = new List<int[]>(many.Count + 2);
        if (direct.Count > 0)
        {
            parts.Add([.. direct]);
        }

        if (others.Count > 0)
        {
            parts.Add([.. others]);
        }

        foreach (var i in many)
        {
            parts.Add([i]);
        }

        return parts;
    }

    /// <summary>Whether every operation of <paramref name="batch"/> is on the hot path.</summary>
    public static bool IsDirect(IReadOnlyList<MailboxOperation> batch)
    {
        foreach (var operation in batch)
        {
            if (!IsDirect(operation))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDirect(MailboxOperation operation) => operation is SendOperation or AckOperation or DeliverReceiptsOperation;

    private static bool Claim(IReadOnlyList<MailboxOperation> batch, List<int> positions, int part, Dictionary<string, int> partOfKey)
    {
        foreach (var i in positions)
        {
            if (partOfKey.TryGetValue(batch[i].Key, out var existing) && existing != part)
            {
                return false;
            }

            partOfKey[batch[i].Key] = part;
        }

        return true;
    }
}
