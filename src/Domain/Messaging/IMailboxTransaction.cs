using Chat.Domain.Groups;

namespace Chat.Domain.Messaging;

/// <summary>One database transaction over mailboxes. Nothing is visible or durable before <see cref="CommitAsync"/>.</summary>
public interface IMailboxTransaction : IAsyncDisposable
{
    Task<SendOutcome> AppendMessageAsync(SendCommand command, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the envelopes of one device of <paramref name="userId"/> with seq &lt;= <paramref name="upToSeq"/> and
    /// queues a <see cref="EnvelopeKind.Delivered"/> receipt in the reader's outbox for the sender of each removed,
    /// unexpired message (not a copy) that no other device of the reader acknowledged first. It locks no other
    /// user's mailbox.
    /// </summary>
    Task<AckOutcome> AckAsync(string userId, int deviceId, long upToSeq, DateTimeOffset now, DateTimeOffset receiptExpiresAt, CancellationToken cancellationToken);

    /// <summary>Queues receipts in their readers' outbox (a receipt already queued is not queued twice).</summary>
    Task QueueReceiptsAsync(IReadOnlyList<PendingReceipt> receipts, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the queued receipts of <paramref name="readerId"/> for these messages into every mailbox (device) of
    /// <paramref name="senderId"/>, each with that device's next seq, and removes them from the outbox. Receipts no longer queued
    /// (moved already) are skipped, so delivering twice stores once.
    /// </summary>
    Task<IReadOnlyList<AddressedEnvelope>> DeliverReceiptsAsync(
        string senderId, string readerId, EnvelopeKind kind, IReadOnlyList<Guid> messageIds, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="draft"/> in every mailbox (every device) of every recipient, each with its own next seq. For messages it
    /// also records, per recipient, that the message was received (what lets that recipient mark it read later).
    /// Recipients without a mailbox are skipped.
    /// </summary>
    Task<IReadOnlyList<AddressedEnvelope>> FanOutAsync(IReadOnlyList<string> recipients, EnvelopeDraft draft, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="draft"/> as a copy in every mailbox of <paramref name="userId"/> except device
    /// <paramref name="exceptDeviceId"/>'s, each with its own next seq: what the account did on one device, shown on the others.
    /// </summary>
    Task<IReadOnlyList<AddressedEnvelope>> StoreCopyAsync(string userId, int exceptDeviceId, EnvelopeDraft draft, CancellationToken cancellationToken);

    /// <summary>
    /// Claims an idempotency key in <paramref name="userId"/>'s shard: null when claimed now, else the first
    /// result stored under that key.
    /// </summary>
    Task<(Guid MessageId, DateTimeOffset SentAt)?> ClaimAsync(string userId, string senderId, string key, Guid messageId, DateTimeOffset sentAt, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="messageIds"/> <paramref name="userId"/> received from someone else.</summary>
    Task<IReadOnlyList<ReceivedMessage>> FindReceivedAsync(string userId, IReadOnlyCollection<Guid> messageIds, CancellationToken cancellationToken);

    /// <summary>The ids among <paramref name="userIds"/> that have an account.</summary>
    Task<IReadOnlyList<string>> FindUsersAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken);

    Task<Group?> LoadGroupAsync(string groupId, CancellationToken cancellationToken);

    Task CreateGroupAsync(string groupId, string name, string createdBy, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Adds members to both membership tables (by group and by member).</summary>
    Task AddMembersAsync(string groupId, IReadOnlyCollection<string> userIds, GroupRole role, DateTimeOffset now, CancellationToken cancellationToken);

    Task RemoveMemberAsync(string groupId, string userId, CancellationToken cancellationToken);

    Task SetRoleAsync(string groupId, string userId, GroupRole role, CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);
}
