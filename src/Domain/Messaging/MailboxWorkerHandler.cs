using Chat.Domain.Workers;

namespace Chat.Domain.Messaging;

/// <summary>
/// The mailbox pool's worker: applies a batch of queued operations in one transaction (group commit), and
/// pushes what they stored only after the commit, so nothing is announced that is not durable.
/// </summary>
public sealed class MailboxWorkerHandler(IMailboxStore store, IEnvelopeNotifier notifier) : IWorkerHandler<MailboxOperation, MailboxResult>
{
    public async Task<IReadOnlyList<MailboxResult>> ProcessAsync(IReadOnlyList<MailboxOperation> batch, CancellationToken cancellationToken)
    {
        var results = new MailboxResult[batch.Count];
        await using (var transaction = await store.BeginAsync(cancellationToken))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                results[i] = await batch[i].ApplyAsync(transaction, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        var push = new List<AddressedEnvelope>();
        for (var i = 0; i < batch.Count; i++)
        {
            push.AddRange(batch[i].ToPush(results[i]));
        }

        if (push.Count > 0)
        {
            // The data is committed: a failed push must not fail the callers; the client will sync.
            await notifier.NotifyAsync(push, CancellationToken.None);
        }

        return results;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
