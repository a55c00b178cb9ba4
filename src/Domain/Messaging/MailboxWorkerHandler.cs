using System.Data.Common;
using Chat.Domain.Errors;
using Chat.Domain.Workers;

namespace Chat.Domain.Messaging;

/// <summary>
/// The mailbox pool's worker: applies a batch of queued operations in one transaction (group commit), and
/// pushes what they stored only after the commit, so nothing is announced that is not durable. A batch is an
/// optimisation, never a shared fate: when it fails for a reason other than a store outage, every operation is
/// run again in a transaction of its own, so one bad request gets its own error and the others their true answers.
/// </summary>
/// <param name="sameWorker">Which keys this handler's worker serialises besides the batch's own (null: not known, as in
/// the modes that do not pin keys to workers); lets the store write an ack's receipts in the ack's transaction.</param>
public sealed class MailboxWorkerHandler(IMailboxStore store, IEnvelopeNotifier notifier, IStoreErrorClassifier errors, Func<string, bool>? sameWorker = null)
    : IWorkerHandler<MailboxOperation, MailboxResult>
{
    // Each transaction takes its row locks in one sorted pass (see BatchSplit), so batches do not deadlock one
    // another on a single server; on Citus a fan-out still can, and a sender's copy taken after a fan-out too. The
    // database rolls the transaction back whole, so running it again is safe.
    private const int Attempts = 3;

    // Whether the store's transactions take the pipelined hot path (known from the first batch on).
    private bool _pipelined;

    public async Task<IReadOnlyList<MailboxResult>> ProcessAsync(IReadOnlyList<MailboxOperation> batch, CancellationToken cancellationToken)
    {
        var results = _pipelined && BatchSplit.Of(batch) is { } parts
            ? await ProcessSplitAsync(batch, parts, cancellationToken)
            : await ProcessWholeAsync(batch, cancellationToken);
        await PushAsync(results);
        return results;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<IReadOnlyList<MailboxResult>> ProcessWholeAsync(IReadOnlyList<MailboxOperation> batch, CancellationToken cancellationToken)
    {
        try
        {
            return await ApplyWithRetryAsync(batch, cancellationToken);
        }
        catch (Exception e) when (batch.Count > 1 && !cancellationToken.IsCancellationRequested && !errors.IsOutage(e))
        {
            return await ApplyEachAsync(batch, cancellationToken);
        }
        catch (Exception e) when (errors.ClientErrorOf(e) is { } clientError)
        {
            return [MailboxResult.Failed(clientError)];
        }
    }

    /// <summary>
    /// A batch in several transactions (<see cref="BatchSplit"/>): a group's worker keeps the pipelined path for its
    /// acks and receipts, and every transaction takes its row locks in one sorted pass. Each part answers for itself:
    /// an outage in one fails only its own operations, and what the others committed is still pushed.
    /// </summary>
    private async Task<IReadOnlyList<MailboxResult>> ProcessSplitAsync(IReadOnlyList<MailboxOperation> batch, IReadOnlyList<int[]> parts, CancellationToken cancellationToken)
    {
        var results = new MailboxResult[batch.Count];
        foreach (var part in parts)
        {
            var operations = Array.ConvertAll(part, i => batch[i]);
            IReadOnlyList<MailboxResult> answers;
            try
            {
                answers = await ProcessWholeAsync(operations, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && errors.ClientErrorOf(e) is null)
            {
                var failed = MailboxResult.Failed(ChatException.Unavailable("the message store could not process this request; retry later.", e));
                answers = Array.ConvertAll(operations, _ => failed);
            }

            for (var i = 0; i < part.Length; i++)
            {
                results[part[i]] = answers.Count == part.Length ? answers[i] : answers[0]; // one answer: the part's shared failure
            }
        }

        return results;
    }

    /// <summary>The isolation path: each operation alone, each with its own answer.</summary>
    private async Task<MailboxResult[]> ApplyEachAsync(IReadOnlyList<MailboxOperation> batch, CancellationToken cancellationToken)
    {
        var results = new MailboxResult[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            try
            {
                results[i] = (await ApplyWithRetryAsync([batch[i]], cancellationToken))[0];
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                results[i] = MailboxResult.Failed(
                    errors.ClientErrorOf(e) ?? ChatException.Unavailable("the message store could not process this request; retry later.", e));
            }
        }

        return results;
    }

    private async Task<MailboxResult[]> ApplyWithRetryAsync(IReadOnlyList<MailboxOperation> batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ApplyAsync(batch, cancellationToken);
            }
            catch (DbException e) when (e.IsTransient && attempt < Attempts && !cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    private async Task<MailboxResult[]> ApplyAsync(IReadOnlyList<MailboxOperation> batch, CancellationToken cancellationToken)
    {
        await using var transaction = await store.BeginAsync(cancellationToken);
        _pipelined = transaction is IPipelinedMailboxTransaction;
        var results = transaction is IPipelinedMailboxTransaction pipelined && BatchSplit.IsDirect(batch)
            ? await ApplyDirectAsync(pipelined, batch, cancellationToken)
            : await ApplyInKeyOrderAsync(transaction, batch, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return results;
    }

    private static async Task<MailboxResult[]> ApplyInKeyOrderAsync(IMailboxTransaction transaction, IReadOnlyList<MailboxOperation> batch, CancellationToken cancellationToken)
    {
        var results = new MailboxResult[batch.Count];
        // Key order (stable, so one key's operations keep their order) is the global lock order.
        foreach (var i in Enumerable.Range(0, batch.Count).OrderBy(i => batch[i].Key, StringComparer.Ordinal))
        {
            results[i] = await batch[i].ApplyAsync(transaction, cancellationToken);
        }

        return results;
    }

    private async Task<MailboxResult[]> ApplyDirectAsync(IPipelinedMailboxTransaction transaction, IReadOnlyList<MailboxOperation> batch, CancellationToken cancellationToken)
    {
        var sends = new List<SendCommand>();
        var acks = new List<AckOperation>();
        var receipts = new List<DeliverReceiptsOperation>();
        foreach (var operation in batch)
        {
            switch (operation)
            {
                case SendOperation send: sends.Add(send.Command); break;
                case AckOperation ack: acks.Add(ack); break;
                case DeliverReceiptsOperation move: receipts.Add(move); break;
            }
        }

        var outcome = await transaction.ApplyDirectAsync(new DirectBatch(sends, acks, receipts, sameWorker), cancellationToken);
        var results = new MailboxResult[batch.Count];
        int s = 0, a = 0, r = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            results[i] = batch[i] switch
            {
                SendOperation send => send.ResultOf(outcome.Sends[s++]),
                AckOperation => AckOperation.ResultOf(outcome.Acks[a++]),
                _ => DeliverReceiptsOperation.ResultOf(outcome.Receipts[r++]),
            };
        }

        return results;
    }

    private async Task PushAsync(IReadOnlyList<MailboxResult> results)
    {
        var push = results.SelectMany(r => r.Push).ToList();
        if (push.Count > 0)
        {
            // The data is committed: a failed push must not fail the callers; the client will sync.
            await notifier.NotifyAsync(push, CancellationToken.None);
        }
    }
}
