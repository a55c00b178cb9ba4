using System.Text;
using Chat.Domain.Devices;
using Chat.Domain.Errors;
using Chat.Domain.Identity;
using Chat.Domain.Validation;
using Chat.Domain.Workers;

namespace Chat.Domain.Messaging;

/// <summary>
/// The delivery protocol: validates requests and routes every mailbox write to the worker of the mailbox
/// it changes, so one mailbox's writes are serialised on one node without locks.
/// </summary>
public sealed class MailboxService(
    IMailboxStore store,
    KeyedWorkerPool<MailboxOperation, MailboxResult> pool,
    MessagingOptions options,
    DeviceDirectory devices,
    TimeProvider timeProvider)
{
    /// <summary>
    /// Stores a one-to-one message in every device's mailbox of the recipient (one statement, one shard), then a copy
    /// in the sender's other devices' mailboxes, on the sender's worker. The copy is best effort: a failure there
    /// does not undo the send.
    /// </summary>
    public async Task<SendResult> SendAsync(string senderId, int senderDeviceId, string? clientMessageId, string? to, string? payload, int? ttlSeconds, CancellationToken cancellationToken)
    {
        var expiresAt = ValidateSend(clientMessageId, payload, ttlSeconds);
        if (!UserId.IsValid(to))
        {
            throw ChatException.Invalid("'to' must be a user id matching " + UserId.Pattern + ".");
        }

        var now = timeProvider.GetUtcNow();
        var command = new SendCommand(senderId, clientMessageId, to, payload, Guid.CreateVersion7(now), now, expiresAt, now + options.MaxAge);
        var result = await pool.SubmitAsync(to, new SendOperation(command), expiresAt, cancellationToken);
        var outcome = result.Get<SendOutcome>();
        if (outcome.Status == SendStatus.Stored && await devices.HasOtherDevicesAsync(senderId, senderDeviceId, cancellationToken))
        {
            var copy = new EnvelopeDraft(command.MessageId, EnvelopeKind.Message, senderId, null, payload, now, expiresAt, expiresAt, to);
            try
            {
                await pool.SubmitAsync(senderId, new StoreCopyOperation(senderId, senderDeviceId, copy), expiresAt, cancellationToken);
            }
            catch (ChatException)
            {
                // The message is stored and acknowledged to the sender; only the other devices' copy is missing.
            }
        }

        return new SendResult(outcome.MessageId, outcome.ServerTimestamp);
    }

    /// <summary>Checks what every send carries (one-to-one or group) and returns when it expires.</summary>
    public DateTimeOffset ValidateSend(
        [System.Diagnostics.CodeAnalysis.NotNull] string? clientMessageId,
        [System.Diagnostics.CodeAnalysis.NotNull] string? payload,
        int? ttlSeconds)
    {
        ValidateClientMessageId(clientMessageId);
        ValidatePayload(payload);
        return ExpiryFor(timeProvider.GetUtcNow(), ttlSeconds);
    }

    public async Task<int> MarkReadAsync(string userId, int deviceId, IReadOnlyList<Guid>? messageIds, CancellationToken cancellationToken)
    {
        if (messageIds is null || messageIds.Count == 0 || messageIds.Count > options.MaxFetchLimit)
        {
            throw ChatException.Invalid($"'messageIds' must list 1 to {options.MaxFetchLimit} message ids.");
        }

        var now = timeProvider.GetUtcNow();
        var announce = await devices.HasOtherDevicesAsync(userId, deviceId, cancellationToken);
        var result = await pool.SubmitAsync(userId, new MarkReadOperation(userId, deviceId, messageIds, now, now + options.MaxAge, announce), null, cancellationToken);
        var queued = result.Get<IReadOnlyList<PendingReceipt>>();
        await DeliverReceiptsAsync(queued, cancellationToken);
        return queued.Count;
    }

    public Task<PendingPage> FetchPendingAsync(string userId, int deviceId, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        if (afterSeq < 0)
        {
            throw ChatException.Invalid("'afterSeq' must be zero or more.");
        }

        if (limit < 1 || limit > options.MaxFetchLimit)
        {
            throw ChatException.Invalid($"'limit' must be between 1 and {options.MaxFetchLimit}.");
        }

        return store.FetchPendingAsync(userId, deviceId, afterSeq, limit, timeProvider.GetUtcNow(), cancellationToken);
    }

    public async Task<int> AckAsync(string userId, int deviceId, long upToSeq, CancellationToken cancellationToken)
    {
        if (upToSeq < 1)
        {
            throw ChatException.Invalid("'upToSeq' must be 1 or more.");
        }

        var now = timeProvider.GetUtcNow();
        var result = await pool.SubmitAsync(userId, new AckOperation(userId, deviceId, upToSeq, now, now + options.MaxAge), null, cancellationToken);
        var outcome = result.Get<AckOutcome>();
        await DeliverReceiptsAsync(outcome.Receipts, cancellationToken);
        return outcome.Removed;
    }

    /// <summary>
    /// Stores queued receipts in their senders' mailboxes, each on its sender's worker, so no transaction locks
    /// two users' mailboxes. A failure here loses nothing: the receipts stay queued and the sweeper retries.
    /// </summary>
    public async Task DeliverReceiptsAsync(IReadOnlyList<PendingReceipt> receipts, CancellationToken cancellationToken)
    {
        if (receipts.Count == 0)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        var deliveries = receipts
            .GroupBy(r => (r.SenderId, r.ReaderId, r.Kind))
            .Select(g => pool.SubmitAsync(
                g.Key.SenderId,
                new DeliverReceiptsOperation(g.Key.SenderId, g.Key.ReaderId, g.Key.Kind, g.Select(r => r.MessageId).ToList(), now, now + options.MaxAge),
                null,
                cancellationToken))
            .ToList();
        try
        {
            await Task.WhenAll(deliveries);
        }
        catch (ChatException)
        {
            // Still queued in the outbox; RedeliverStaleReceiptsAsync picks them up.
        }
    }

    /// <summary>Retries receipts that stayed queued longer than <paramref name="olderThan"/>; returns how many it found.</summary>
    public async Task<int> RedeliverStaleReceiptsAsync(TimeSpan olderThan, int limit, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var stale = await store.GetStaleReceiptsAsync(now - olderThan, now, limit, cancellationToken);
        await DeliverReceiptsAsync(stale, cancellationToken);
        return stale.Count;
    }

    internal DateTimeOffset ExpiryFor(DateTimeOffset now, int? ttlSeconds)
    {
        var maxAge = options.MaxAge;
        if (ttlSeconds is null)
        {
            return now + maxAge;
        }

        if (ttlSeconds < 1)
        {
            throw ChatException.Invalid("'ttlSeconds' must be 1 or more.");
        }

        var ttl = TimeSpan.FromSeconds(ttlSeconds.Value);
        return now + (ttl < maxAge ? ttl : maxAge);
    }

    private void ValidateClientMessageId([System.Diagnostics.CodeAnalysis.NotNull] string? clientMessageId)
    {
        if (string.IsNullOrWhiteSpace(clientMessageId) || clientMessageId.Length > options.MaxClientMessageIdLength)
        {
            throw ChatException.Invalid($"'clientMessageId' is required, at most {options.MaxClientMessageIdLength} characters.");
        }

        if (!WireText.IsStorable(clientMessageId))
        {
            throw ChatException.Invalid("'clientMessageId' must not contain U+0000 or an unpaired surrogate.");
        }
    }

    private void ValidatePayload([System.Diagnostics.CodeAnalysis.NotNull] string? payload)
    {
        if (payload is null)
        {
            throw ChatException.Invalid("'payload' is required.");
        }

        // Cheap upper bound first: a UTF-8 byte count is at most 3 bytes per UTF-16 char.
        if (payload.Length * 3L > options.MaxPayloadBytes && Encoding.UTF8.GetByteCount(payload) > options.MaxPayloadBytes)
        {
            throw new ChatException(ChatErrorCode.PayloadTooLarge, $"payload exceeds {options.MaxPayloadBytes} bytes.");
        }

        if (!WireText.IsStorable(payload))
        {
            throw ChatException.Invalid("'payload' must not contain U+0000 or an unpaired surrogate; encode binary data (base64).");
        }
    }
}
