using Chat.Domain.Groups;
using Chat.Domain.Messaging;
using Dapper;

namespace Chat.Infrastructure.Postgres;

/// <summary>Fan-out, receipts and group membership inside the batch transaction.</summary>
internal sealed partial class PostgresMailboxTransaction
{
    // One statement per fan-out whatever the group size: every recipient device's seq is taken with the same
    // atomic row update as a single send, then all envelopes are inserted from its RETURNING rows.
    private const string FanOutSql = """
        WITH next AS (
            UPDATE mailboxes SET last_seq = last_seq + 1
            WHERE user_id = ANY(@Recipients)
            RETURNING user_id, device_id, last_seq
        )
        INSERT INTO envelopes (user_id, device_id, seq, message_id, kind, sender_id, group_id, payload, sent_at, expires_at)
        SELECT user_id, device_id, last_seq, @MessageId, @Kind, @From, @GroupId, @Payload, @SentAt, @ExpiresAt FROM next
        RETURNING user_id AS UserId, device_id AS DeviceId, seq AS Seq
        """;

    // The fan-out's UPDATE visits its rows in the order its plan reads the heap (a bitmap or sequential scan), while
    // every other statement locks mailbox rows in key order. Beside batches that stored receipts for some of the
    // members it deadlocked about once every three seconds at 10 group messages a second, and each deadlock stalled
    // both transactions for the server's deadlock_timeout. Locking the rows in key order first (LockRows above the
    // Sort) keeps the one global order; the UPDATE then waits for nothing. Byte order ("C") is the ordinal order the
    // batches sort keys in, for every key outside U+E000-U+FFFF.
    private const string LockRecipientsSql = """
        SELECT 1 FROM mailboxes WHERE user_id = ANY(@Recipients) ORDER BY user_id COLLATE "C", device_id FOR UPDATE
        """;

    // A copy for the user's other devices: single-shard, and with one device it matches and locks nothing.
    private const string StoreCopySql = """
        WITH next AS (
            UPDATE mailboxes SET last_seq = last_seq + 1
            WHERE user_id = @UserId AND device_id <> @ExceptDeviceId
            RETURNING device_id, last_seq
        )
        INSERT INTO envelopes (user_id, device_id, seq, message_id, kind, sender_id, group_id, payload, sent_at, expires_at, is_copy, to_id)
        SELECT @UserId, device_id, last_seq, @MessageId, @Kind, @From, @GroupId, @Payload, @SentAt, @ExpiresAt, true, @To FROM next
        RETURNING device_id AS DeviceId, seq AS Seq
        """;

    private const string RecordReceivedSql = """
        INSERT INTO message_dedup (user_id, sender_id, client_message_id, message_id, sent_at, expires_at, group_id)
        SELECT r, @From, @Key, @MessageId, @SentAt, @ExpiresAt, @GroupId FROM unnest(@Recipients) AS r
        ON CONFLICT DO NOTHING
        """;

    private const string ClaimSql = """
        INSERT INTO message_dedup (user_id, sender_id, client_message_id, message_id, sent_at, expires_at)
        VALUES (@UserId, @SenderId, @Key, @MessageId, @SentAt, @ExpiresAt)
        ON CONFLICT (user_id, sender_id, client_message_id) DO NOTHING
        RETURNING message_id
        """;

    private const string ClaimedSql = """
        SELECT message_id, sent_at FROM message_dedup WHERE user_id = @UserId AND sender_id = @SenderId AND client_message_id = @Key
        """;

    public async Task<IReadOnlyList<AddressedEnvelope>> FanOutAsync(IReadOnlyList<string> recipients, EnvelopeDraft draft, CancellationToken cancellationToken)
    {
        if (recipients.Count == 0)
        {
            return [];
        }

        var args = new
        {
            Recipients = recipients.ToArray(),
            draft.MessageId,
            Kind = (short)draft.Kind,
            draft.From,
            draft.GroupId,
            draft.Payload,
            draft.SentAt,
            draft.ExpiresAt,
        };
        if (orderedFanOutLocks)
        {
            await connection.ExecuteAsync(new CommandDefinition(LockRecipientsSql, new { args.Recipients }, transaction, cancellationToken: cancellationToken));
        }

        var stored = await connection.QueryAsync<(string UserId, int DeviceId, long Seq)>(new CommandDefinition(FanOutSql, args, transaction, cancellationToken: cancellationToken));
        if (draft.Kind == EnvelopeKind.Message)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                RecordReceivedSql,
                new { args.Recipients, draft.From, Key = "g:" + draft.MessageId.ToString("N"), draft.MessageId, draft.SentAt, ExpiresAt = draft.ReceivedRecordExpiresAt, draft.GroupId },
                transaction,
                cancellationToken: cancellationToken));
        }

        return stored
            .OrderBy(s => s.UserId, StringComparer.Ordinal).ThenBy(s => s.DeviceId)
            .Select(s => new AddressedEnvelope(s.UserId, s.DeviceId, draft.ToEnvelope(s.Seq)))
            .ToList();
    }

    public async Task<IReadOnlyList<AddressedEnvelope>> StoreCopyAsync(string userId, int exceptDeviceId, EnvelopeDraft draft, CancellationToken cancellationToken)
    {
        var args = new
        {
            UserId = userId,
            ExceptDeviceId = exceptDeviceId,
            draft.MessageId,
            Kind = (short)draft.Kind,
            draft.From,
            draft.GroupId,
            draft.Payload,
            draft.SentAt,
            draft.ExpiresAt,
            draft.To,
        };
        var stored = await connection.QueryAsync<(int DeviceId, long Seq)>(new CommandDefinition(StoreCopySql, args, transaction, cancellationToken: cancellationToken));
        return stored.OrderBy(s => s.DeviceId).Select(s => new AddressedEnvelope(userId, s.DeviceId, draft.ToEnvelope(s.Seq, isCopy: true))).ToList();
    }

    public async Task<(Guid MessageId, DateTimeOffset SentAt)?> ClaimAsync(
        string userId, string senderId, string key, Guid messageId, DateTimeOffset sentAt, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var args = new { UserId = userId, SenderId = senderId, Key = key, MessageId = messageId, SentAt = sentAt, ExpiresAt = expiresAt };
        if (await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(ClaimSql, args, transaction, cancellationToken: cancellationToken)) is not null)
        {
            return null;
        }

        var first = await connection.QuerySingleAsync<(Guid MessageId, DateTime SentAt)>(new CommandDefinition(ClaimedSql, args, transaction, cancellationToken: cancellationToken));
        return (first.MessageId, new DateTimeOffset(DateTime.SpecifyKind(first.SentAt, DateTimeKind.Utc)));
    }

    public async Task<IReadOnlyList<ReceivedMessage>> FindReceivedAsync(string userId, IReadOnlyCollection<Guid> messageIds, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(Guid MessageId, string SenderId, string? GroupId)>(new CommandDefinition(
            "SELECT DISTINCT message_id, sender_id, group_id FROM message_dedup WHERE user_id = @UserId AND message_id = ANY(@Ids) AND sender_id <> @UserId",
            new { UserId = userId, Ids = messageIds.ToArray() },
            transaction,
            cancellationToken: cancellationToken));
        return rows.Select(r => new ReceivedMessage(r.MessageId, r.SenderId, r.GroupId)).ToList();
    }

    public async Task<IReadOnlyList<string>> FindUsersAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
        userIds.Count == 0
            ? []
            : (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT user_id FROM accounts WHERE user_id = ANY(@Ids)", new { Ids = userIds.ToArray() }, transaction, cancellationToken: cancellationToken))).AsList();

    public async Task<Group?> LoadGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        // Workers serialise a group's changes within a node; the row lock does it across nodes, so two nodes
        // can never both pass the size limit or both remove the last admin. Single-shard on Citus.
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT 1 FROM groups WHERE group_id = @GroupId FOR UPDATE", new { GroupId = groupId }, transaction, cancellationToken: cancellationToken));
        var rows = (await connection.QueryAsync<GroupRow>(new CommandDefinition(
            GroupRow.LoadSql, new { GroupId = groupId }, transaction, cancellationToken: cancellationToken))).AsList();
        return GroupRow.ToGroup(rows);
    }

    public Task CreateGroupAsync(string groupId, string name, string createdBy, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO groups (group_id, name, created_by, created_at) VALUES (@GroupId, @Name, @CreatedBy, @Now)",
            new { GroupId = groupId, Name = name, CreatedBy = createdBy, Now = now },
            transaction,
            cancellationToken: cancellationToken));

    public async Task AddMembersAsync(string groupId, IReadOnlyCollection<string> userIds, GroupRole role, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0)
        {
            return;
        }

        var name = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT name FROM groups WHERE group_id = @GroupId", new { GroupId = groupId }, transaction, cancellationToken: cancellationToken));
        var args = new { GroupId = groupId, Ids = userIds.ToArray(), Role = (short)role, Now = now, Name = name };
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO group_members (group_id, user_id, role, joined_at) SELECT @GroupId, u, @Role, @Now FROM unnest(@Ids) AS u ON CONFLICT DO NOTHING",
            args, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO user_groups (user_id, group_id, name, role) SELECT u, @GroupId, @Name, @Role FROM unnest(@Ids) AS u ON CONFLICT DO NOTHING",
            args, transaction, cancellationToken: cancellationToken));
    }

    public async Task RemoveMemberAsync(string groupId, string userId, CancellationToken cancellationToken)
    {
        var args = new { GroupId = groupId, UserId = userId };
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM group_members WHERE group_id = @GroupId AND user_id = @UserId", args, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM user_groups WHERE user_id = @UserId AND group_id = @GroupId", args, transaction, cancellationToken: cancellationToken));
    }

    public async Task SetRoleAsync(string groupId, string userId, GroupRole role, CancellationToken cancellationToken)
    {
        var args = new { GroupId = groupId, UserId = userId, Role = (short)role };
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE group_members SET role = @Role WHERE group_id = @GroupId AND user_id = @UserId", args, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE user_groups SET role = @Role WHERE user_id = @UserId AND group_id = @GroupId", args, transaction, cancellationToken: cancellationToken));
    }
}
