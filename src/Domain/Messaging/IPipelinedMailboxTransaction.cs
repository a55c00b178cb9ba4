namespace Chat.Domain.Messaging;

/// <summary>
/// A transaction that applies the hot path's operations (one-to-one sends, acks, receipt moves) of a whole batch
/// in a constant number of round trips, however large the batch. Stores that gain nothing from it (the embedded
/// store runs in process) do not implement it, and the batch runs operation by operation.
/// </summary>
public interface IPipelinedMailboxTransaction : IMailboxTransaction
{
    /// <summary>
    /// Applies <paramref name="batch"/> with the same meaning as calling <see cref="IMailboxTransaction.AppendMessageAsync"/>,
    /// <see cref="IMailboxTransaction.AckAsync"/> and <see cref="IMailboxTransaction.DeliverReceiptsAsync"/> for each of
    /// its items. Mailbox rows are locked in key order, the global lock order of every batch; items of one key keep
    /// their relative order.
    /// </summary>
    Task<DirectBatchOutcome> ApplyDirectAsync(DirectBatch batch, CancellationToken cancellationToken);
}

/// <summary>The hot-path operations of one batch, each list in the order they were queued.</summary>
public sealed record DirectBatch(IReadOnlyList<SendCommand> Sends, IReadOnlyList<AckOperation> Acks, IReadOnlyList<DeliverReceiptsOperation> Receipts);

/// <summary>One outcome per item of <see cref="DirectBatch"/>, list for list, in the same order.</summary>
public sealed record DirectBatchOutcome(IReadOnlyList<SendOutcome> Sends, IReadOnlyList<AckOutcome> Acks, IReadOnlyList<IReadOnlyList<AddressedEnvelope>> Receipts);
