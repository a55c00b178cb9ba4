using Chat.Domain.Errors;

namespace Chat.Domain.Messaging;

/// <summary>
/// Stores a "read" receipt for the sender of each message, kept until that sender acks it, and returns how
/// many it stored (a message already marked stores nothing). Runs on the reader's worker; only a recipient of
/// a message may mark it read, so the whole call fails otherwise.
/// </summary>
public sealed record MarkReadOperation(string UserId, IReadOnlyList<Guid> MessageIds, DateTimeOffset Now, DateTimeOffset ReceiptExpiresAt) : MailboxOperation
{
    public override async Task<MailboxResult> ApplyAsync(IMailboxTransaction transaction, CancellationToken cancellationToken)
    {
        var distinct = MessageIds.Distinct().ToList();
        var received = await transaction.FindReceivedAsync(UserId, distinct, cancellationToken);
        if (received.Count != distinct.Count)
        {
            return MailboxResult.Failed(ChatException.Forbidden("only a recipient of a message can mark it read."));
        }

        var push = new List<AddressedEnvelope>();
        foreach (var message in received.OrderBy(m => m.SenderId, StringComparer.Ordinal))
        {
            // One read receipt per message and reader, however often the reader's devices mark it.
            if (await transaction.ClaimAsync(UserId, UserId, "read:" + message.MessageId.ToString("N"), message.MessageId, Now, ReceiptExpiresAt, cancellationToken) is not null)
            {
                continue;
            }

            push.AddRange(await transaction.FanOutAsync(
                [message.SenderId],
                new EnvelopeDraft(message.MessageId, EnvelopeKind.Read, UserId, message.GroupId, null, Now, ReceiptExpiresAt, ReceiptExpiresAt),
                cancellationToken));
        }

        return new(push.Count, push);
    }
}
