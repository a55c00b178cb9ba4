using Chat.Domain.Devices;
using Chat.Domain.Errors;
using Chat.Domain.Identity;
using Chat.Domain.Messaging;
using Chat.Domain.Validation;
using Chat.Domain.Workers;

namespace Chat.Domain.Groups;

/// <summary>Groups: validation, permissions (inside the operations) and routing to the group's worker.</summary>
public sealed class GroupService(
    IGroupStore store,
    KeyedWorkerPool<MailboxOperation, MailboxResult> pool,
    GroupOptions groupOptions,
    MessagingOptions messagingOptions,
    DeviceDirectory devices,
    TimeProvider timeProvider)
{
    public Task<Group> CreateAsync(string actor, string? name, IReadOnlyList<string>? members, CancellationToken cancellationToken)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > groupOptions.MaxNameLength)
        {
            throw ChatException.Invalid($"'name' is required, at most {groupOptions.MaxNameLength} characters.");
        }

        if (!WireText.IsStorable(trimmed))
        {
            throw ChatException.Invalid("'name' must not contain U+0000 or an unpaired surrogate.");
        }

        var ids = ValidateUserIds(members ?? []);
        if (ids.Union([actor], StringComparer.Ordinal).Count() > groupOptions.MaxMembers)
        {
            throw ChatException.Invalid($"a group has at most {groupOptions.MaxMembers} members.");
        }

        var groupId = Guid.CreateVersion7(timeProvider.GetUtcNow()).ToString("N");
        return RunAsync<Group>(groupId, now => new CreateGroupOperation(groupId, actor, trimmed, ids, now, now + messagingOptions.MaxAge), cancellationToken);
    }

    public Task<Group> AddMembersAsync(string actor, string groupId, IReadOnlyList<string>? userIds, CancellationToken cancellationToken)
    {
        var ids = ValidateUserIds(userIds ?? []);
        if (ids.Count == 0)
        {
            throw ChatException.Invalid("'userIds' must name at least one user.");
        }

        return RunAsync<Group>(groupId, now => new AddMembersOperation(groupId, actor, ids, groupOptions.MaxMembers, now, now + messagingOptions.MaxAge), cancellationToken);
    }

    /// <summary>Removes <paramref name="userId"/>; when it is the actor, the actor leaves.</summary>
    public Task<Group> RemoveMemberAsync(string actor, string groupId, string userId, CancellationToken cancellationToken) =>
        RunAsync<Group>(groupId, now => new RemoveMemberOperation(groupId, actor, userId, now, now + messagingOptions.MaxAge), cancellationToken);

    public Task<Group> PromoteAsync(string actor, string groupId, string? userId, CancellationToken cancellationToken) =>
        UserId.IsValid(userId)
            ? RunAsync<Group>(groupId, now => new PromoteAdminOperation(groupId, actor, userId, now, now + messagingOptions.MaxAge), cancellationToken)
            : throw ChatException.Invalid($"'userId' must match {UserId.Pattern}.");

    public async Task<SendResult> SendAsync(string actor, int actorDeviceId, string groupId, string clientMessageId, string payload, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        int? copyExcept = await devices.HasOtherDevicesAsync(actor, actorDeviceId, cancellationToken) ? actorDeviceId : null;
        var outcome = await RunAsync<SendOutcome>(
            groupId,
            now => new GroupSendOperation(groupId, actor, clientMessageId, payload, Guid.CreateVersion7(now), now, expiresAt, now + messagingOptions.MaxAge, copyExcept),
            cancellationToken);
        return new SendResult(outcome.MessageId, outcome.ServerTimestamp);
    }

    /// <summary>The group with its members, for members only.</summary>
    public async Task<Group> GetAsync(string actor, string groupId, CancellationToken cancellationToken)
    {
        var group = await store.GetAsync(groupId, cancellationToken) ?? throw ChatException.NotFound($"no group '{groupId}'.");
        return group.Find(actor) is null ? throw ChatException.Forbidden("not a member of this group.") : group;
    }

    public Task<IReadOnlyList<GroupSummary>> GetGroupsOfAsync(string userId, CancellationToken cancellationToken) =>
        store.GetGroupsOfAsync(userId, cancellationToken);

    public static bool IsValidGroupId(string? groupId) =>
        groupId is { Length: > 0 and <= 64 } && groupId.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');

    private async Task<T> RunAsync<T>(string groupId, Func<DateTimeOffset, MailboxOperation> operation, CancellationToken cancellationToken)
    {
        if (!IsValidGroupId(groupId))
        {
            throw ChatException.Invalid("'groupId' is not a valid group id.");
        }

        var result = await pool.SubmitAsync(GroupOperation.KeyOf(groupId), operation(timeProvider.GetUtcNow()), null, cancellationToken);
        return result.Get<T>();
    }

    private static List<string> ValidateUserIds(IReadOnlyList<string> userIds)
    {
        var invalid = userIds.FirstOrDefault(id => !UserId.IsValid(id));
        return invalid is not null || userIds.Any(id => id is null)
            ? throw ChatException.Invalid($"every user id must match {UserId.Pattern}.")
            : userIds.Distinct(StringComparer.Ordinal).ToList();
    }
}
