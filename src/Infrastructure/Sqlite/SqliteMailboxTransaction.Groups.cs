using Chat.Domain.Groups;
using Chat.Domain.Messaging;
using Dapper;

namespace Chat.Infrastructure.Sqlite;

/// <summary>Fan-out, receipts and group membership inside the batch transaction (one writer: plain loops).</summary>
internal sealed partial class SqliteMailboxTransaction
{
    public async Task<IReadOnlyList<AddressedEnvelope>> FanOutAsync(IReadOnlyList<string> recipients, EnvelopeDraft draft, CancellationToken cancellationToken)
    {
        var stored = new List<AddressedEnvelope>(recipients.Count);
        foreach (var recipient in recipients.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var onDevices = await StoreOnDevicesAsync(recipient, NoDevice, draft, false, cancellationToken);
            if (onDevices.Count == 0)
            {
                continue;
            }

            stored.AddRange(onDevices);
            if (draft.Kind == EnvelopeKind.Message)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO message_dedup (user_id, sender_id, client_message_id, message_id, sent_at, expires_at, group_id)
                    VALUES (@UserId, @From, @Key, @MessageId, @SentAt, @ExpiresAt, @GroupId) ON CONFLICT DO NOTHING
                    """,
                    new
                    {
                        UserId = recipient,
                        draft.From,
                        Key = "g:" + draft.MessageId.ToString("N"),
                        MessageId = draft.MessageId.ToString(),
                        SentAt = UnixTime.ToMs(draft.SentAt),
                        ExpiresAt = UnixTime.ToMs(draft.ReceivedRecordExpiresAt),
                        draft.GroupId,
                    },
                    transaction,
                    cancellationToken: cancellationToken));
            }
        }

        return stored;
    }

    public Task<IReadOnlyList<AddressedEnvelope>> StoreCopyAsync(string userId, int exceptDeviceId, EnvelopeDraft draft, CancellationToken cancellationToken) =>
        StoreOnDevicesAsync(userId, exceptDeviceId, draft, true, cancellationToken);

    public async Task<(Guid MessageId, DateTimeOffset SentAt)?> ClaimAsync(
        string userId, string senderId, string key, Guid messageId, DateTimeOffset sentAt, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var args = new
        {
            RecipientId = userId,
            SenderId = senderId,
            ClientMessageId = key,
            MessageId = messageId.ToString(),
            SentAt = UnixTime.ToMs(sentAt),
            DedupExpiresAt = UnixTime.ToMs(expiresAt),
        };
        if (await connection.ExecuteScalarAsync<string?>(new CommandDefinition(ClaimSql, args, transaction, cancellationToken: cancellationToken)) is not null)
        {
            return null;
        }

        var first = await connection.QuerySingleAsync<(string MessageId, long SentAt)>(new CommandDefinition(FirstResultSql, args, transaction, cancellationToken: cancellationToken));
        return (Guid.Parse(first.MessageId), UnixTime.FromMs(first.SentAt));
    }

    public async Task<IReadOnlyList<ReceivedMessage>> FindReceivedAsync(string userId, IReadOnlyCollection<Guid> messageIds, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(string MessageId, string SenderId, string? GroupId)>(new CommandDefinition(
            "SELECT DISTINCT message_id, sender_id, group_id FROM message_dedup WHERE user_id = @UserId AND message_id IN @Ids AND sender_id <> @UserId",
            new { UserId = userId, Ids = messageIds.Select(id => id.ToString()).ToArray() },
            transaction,
            cancellationToken: cancellationToken));
        return rows.Select(r => new ReceivedMessage(Guid.Parse(r.MessageId), r.SenderId, r.GroupId)).ToList();
    }

    public async Task<IReadOnlyList<string>> FindUsersAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
        userIds.Count == 0
            ? []
            : (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT user_id FROM accounts WHERE user_id IN @Ids", new { Ids = userIds.ToArray() }, transaction, cancellationToken: cancellationToken))).AsList();

    public async Task<Group?> LoadGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        var rows = (await connection.QueryAsync<SqliteGroupRow>(new CommandDefinition(
            SqliteGroupRow.LoadSql, new { GroupId = groupId }, transaction, cancellationToken: cancellationToken))).AsList();
        return SqliteGroupRow.ToGroup(rows);
    }

    public Task CreateGroupAsync(string groupId, string name, string createdBy, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO groups (group_id, name, created_by, created_at) VALUES (@GroupId, @Name, @CreatedBy, @Now)",
            new { GroupId = groupId, Name = name, CreatedBy = createdBy, Now = UnixTime.ToMs(now) },
            transaction,
            cancellationToken: cancellationToken));

    public async Task AddMembersAsync(string groupId, IReadOnlyCollection<string> userIds, GroupRole role, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var name = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT name FROM groups WHERE group_id = @GroupId", new { GroupId = groupId }, transaction, cancellationToken: cancellationToken));
        foreach (var userId in userIds)
        {
            var args = new { GroupId = groupId, UserId = userId, Role = (long)role, Now = UnixTime.ToMs(now), Name = name };
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES (@GroupId, @UserId, @Role, @Now) ON CONFLICT DO NOTHING",
                args, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO user_groups (user_id, group_id, name, role) VALUES (@UserId, @GroupId, @Name, @Role) ON CONFLICT DO NOTHING",
                args, transaction, cancellationToken: cancellationToken));
        }
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
        var args = new { GroupId = groupId, UserId = userId, Role = (long)role };
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE group_members SET role = @Role WHERE group_id = @GroupId AND user_id = @UserId", args, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE user_groups SET role = @Role WHERE user_id = @UserId AND group_id = @GroupId", args, transaction, cancellationToken: cancellationToken));
    }
}
