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

/// <summary>
/// The hot-path operations of one batch, each list in the order they were queued. <paramref name="SameWorker"/> tells
/// which other keys the batch's worker also serialises: an ack's delivered receipt for a sender whose key it holds can
/// be stored in that sender's mailbox in the batch's own transaction, with no other worker's lock to wait for, instead
/// of being queued in the outbox and moved by a second operation. Null: every receipt goes through the outbox.
/// </summary>
public sealed record DirectBatch(
    IReadOnlyList<SendCommand> Sends,
    IReadOnlyList<AckOperation> Acks,
    IReadOnlyList<DeliverReceiptsOperation> Receipts,
    Func<string, bool>? SameWorker = null);

/// <summary>One outcome per item of <see cref="DirectBatch"/>, list for list, in the same order.</summary>
public sealed record DirectBatchOutcome(IReadOnlyList<SendOutcome> Sends, IReadOnlyList<AckOutcome> Acks, IReadOnlyList<IReadOnlyList<AddressedEnvelope>> Receipts);
