using System.Data.Common;
using Chat.Domain.Workers;

namespace Chat.Domain.Messaging;

/// <summary>
/// The mailbox pool's worker: applies a batch of queued operations in one transaction (group commit), and
/// pushes what they stored only after the commit, so nothing is announced that is not durable.
/// </summary>
public sealed class MailboxWorkerHandler(IMailboxStore store, IEnvelopeNotifier notifier) : IWorkerHandler<MailboxOperation, MailboxResult>
{
    // Operations lock only their own key's rows, in key order, so batches do not deadlock one another; a group
    // fan-out locks many mailboxes and can still lose one to another node. The database rolls the batch back
    // whole, so running it again is safe.
    private const int Attempts = 3;

    public async Task<IReadOnlyList<MailboxResult>> ProcessAsync(IReadOnlyList<MailboxOperation> batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var results = await ApplyAsync(batch, cancellationToken);
                var push = results.SelectMany(r => r.Push).ToList();
                if (push.Count > 0)
                {
                    // The data is committed: a failed push must not fail the callers; the client will sync.
                    await notifier.NotifyAsync(push, CancellationToken.None);
                }

                return results;
            }
            catch (DbException e) when (e.IsTransient && attempt < Attempts && !cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<MailboxResult[]> ApplyAsync(IReadOnlyList<MailboxOperation> batch, CancellationToken cancellationToken)
    {
        var results = new MailboxResult[batch.Count];
        await using var transaction = await store.BeginAsync(cancellationToken);
        // Key order (stable, so one key's operations keep their order) is the global lock order.
        foreach (var i in Enumerable.Range(0, batch.Count).OrderBy(i => batch[i].Key, StringComparer.Ordinal))
        {
            results[i] = await batch[i].ApplyAsync(transaction, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return results;
    }
}
