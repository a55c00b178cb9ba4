using Chat.Domain.Errors;

namespace Chat.Domain.Messaging;

/// <summary>
/// Stores a "read" receipt for the sender of each message, kept until that sender acks it, and returns how
/// many it stored (a message already marked stores nothing). Runs on the reader's worker; only a recipient of
/// a message may mark it read, so the whole call fails otherwise. A message marked now is also announced to the
/// reader's other devices (a read copy), so they clear their unread counts.
/// </summary>
public sealed record MarkReadOperation(
    string UserId, int DeviceId, IReadOnlyList<Guid> MessageIds, DateTimeOffset Now, DateTimeOffset ReceiptExpiresAt, bool AnnounceToOtherDevices = false)
    : MailboxOperation
{
    public override string Key => UserId;

    public override async Task<MailboxResult> ApplyAsync(IMailboxTransaction transaction, CancellationToken cancellationToken)
    {
        var distinct = MessageIds.Distinct().ToList();
        var received = await transaction.FindReceivedAsync(UserId, distinct, cancellationToken);
        if (received.Count != distinct.Count)
        {
            return MailboxResult.Failed(ChatException.Forbidden("only a recipient of a message can mark it read."));
        }

        var queued = new List<PendingReceipt>();
        var push = new List<AddressedEnvelope>();
        foreach (var message in received)
        {
            // One read receipt per message and reader, however often the reader's devices mark it.
            if (await transaction.ClaimAsync(UserId, UserId, "read:" + message.MessageId.ToString("N"), message.MessageId, Now, ReceiptExpiresAt, cancellationToken) is null)
            {
                queued.Add(new PendingReceipt(UserId, message.SenderId, message.MessageId, message.GroupId, EnvelopeKind.Read));
                if (AnnounceToOtherDevices)
                {
                    var copy = new EnvelopeDraft(message.MessageId, EnvelopeKind.Read, UserId, message.GroupId, null, Now, ReceiptExpiresAt, ReceiptExpiresAt, message.SenderId);
                    push.AddRange(await transaction.StoreCopyAsync(UserId, DeviceId, copy, cancellationToken));
                }
            }
        }

        // Queued in the reader's shard; the senders' workers store them (see DeliverReceiptsOperation).
        await transaction.QueueReceiptsAsync(queued, Now, ReceiptExpiresAt, cancellationToken);
        return new(queued, push);
    }
}
