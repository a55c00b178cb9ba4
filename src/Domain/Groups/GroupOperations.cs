using Chat.Domain.Errors;
using Chat.Domain.Messaging;

namespace Chat.Domain.Groups;

/// <summary>
/// Group changes run on the group's worker ("g:" + id), so membership changes and group messages of one group
/// are serialised and every member sees them in the same order. Each change is announced to the members as a
/// stored group_event envelope in the same transaction, so an offline member learns of it on reconnect.
/// </summary>
public abstract record GroupOperation(string GroupId, string Actor, DateTimeOffset Now, DateTimeOffset ExpiresAt) : MailboxOperation
{
    public override string Key => KeyOf(GroupId);

    public override bool LocksManyMailboxes => true;

    public static string KeyOf(string groupId) => "g:" + groupId;

    protected async Task<IReadOnlyList<AddressedEnvelope>> AnnounceAsync(
        IMailboxTransaction transaction, IReadOnlyList<string> recipients, GroupEventPayload payload, CancellationToken cancellationToken) =>
        await transaction.FanOutAsync(
            recipients,
            new EnvelopeDraft(Guid.CreateVersion7(Now), EnvelopeKind.GroupEvent, Actor, GroupId, payload.ToJson(), Now, ExpiresAt, ExpiresAt),
            cancellationToken);

    protected static MailboxResult NotFound(string groupId) => MailboxResult.Failed(ChatException.NotFound($"no group '{groupId}'."));
}

public sealed record CreateGroupOperation(string GroupId, string Actor, string Name, IReadOnlyList<string> Members, DateTimeOffset Now, DateTimeOffset ExpiresAt)
    : GroupOperation(GroupId, Actor, Now, ExpiresAt)
{
    public override async Task<MailboxResult> ApplyAsync(IMailboxTransaction transaction, CancellationToken cancellationToken)
    {
        var others = Members.Where(m => !string.Equals(m, Actor, StringComparison.Ordinal)).ToList();
        var existing = await transaction.FindUsersAsync(others, cancellationToken);
        if (existing.Count != others.Count)
        {
            return MailboxResult.Failed(ChatException.NotFound("unknown users: " + string.Join(", ", others.Except(existing, StringComparer.Ordinal))));
        }

        await transaction.CreateGroupAsync(GroupId, Name, Actor, Now, cancellationToken);
        await transaction.AddMembersAsync(GroupId, [Actor], GroupRole.Admin, Now, cancellationToken);
        await transaction.AddMembersAsync(GroupId, others, GroupRole.Member, Now, cancellationToken);
        var group = (await transaction.LoadGroupAsync(GroupId, cancellationToken))!;
        var push = await AnnounceAsync(transaction, group.MemberIds, new GroupEventPayload(GroupEventPayload.Created, GroupId, Actor, group.MemberIds, Name), cancellationToken);
        return new(group, push);
    }
}

public sealed record AddMembersOperation(string GroupId, string Actor, IReadOnlyList<string> UserIds, int MaxMembers, DateTimeOffset Now, DateTimeOffset ExpiresAt)
    : GroupOperation(GroupId, Actor, Now, ExpiresAt)
{
    public override async Task<MailboxResult> ApplyAsync(IMailboxTransaction transaction, CancellationToken cancellationToken)
    {
        if (await transaction.LoadGroupAsync(GroupId, cancellationToken) is not { } group)
        {
            return NotFound(GroupId);
        }

        if (!group.IsAdmin(Actor))
        {
            return MailboxResult.Failed(ChatException.Forbidden("only group admins can add members."));
        }

        var added = UserIds.Where(id => group.Find(id) is null).ToList();
        var existing = await transaction.FindUsersAsync(added, cancellationToken);
        if (existing.Count != added.Count)
        {
            return MailboxResult.Failed(ChatException.NotFound("unknown users: " + string.Join(", ", added.Except(existing, StringComparer.Ordinal))));
        }

        if (group.Members.Count + added.Count > MaxMembers)
        {
            return MailboxResult.Failed(ChatException.Invalid($"a group has at most {MaxMembers} members."));
        }

        if (added.Count == 0)
        {
            return new(group, []);
        }

        await transaction.AddMembersAsync(GroupId, added, GroupRole.Member, Now, cancellationToken);
        var after = (await transaction.LoadGroupAsync(GroupId, cancellationToken))!;
        var push = await AnnounceAsync(transaction, after.MemberIds, new GroupEventPayload(GroupEventPayload.MembersAdded, GroupId, Actor, added), cancellationToken);
        return new(after, push);
    }
}

/// <summary>An admin removes a member, or a member removes itself (leaves). A group left without admins gets one.</summary>
public sealed record RemoveMemberOperation(string GroupId, string Actor, string UserId, DateTimeOffset Now, DateTimeOffset ExpiresAt)
    : GroupOperation(GroupId, Actor, Now, ExpiresAt)
{
    public override async Task<MailboxResult> ApplyAsync(IMailboxTransaction transaction, CancellationToken cancellationToken)
    {
        if (await transaction.LoadGroupAsync(GroupId, cancellationToken) is not { } group)
        {
            return NotFound(GroupId);
        }

        var leaving = string.Equals(Actor, UserId, StringComparison.Ordinal);
        if (group.Find(Actor) is null || (!leaving && !group.IsAdmin(Actor)))
        {
            return MailboxResult.Failed(ChatException.Forbidden(leaving ? "not a member of this group." : "only group admins can remove members."));
        }

        if (group.Find(UserId) is null)
        {
            return MailboxResult.Failed(ChatException.NotFound($"'{UserId}' is not a member of this group."));
        }

        await transaction.RemoveMemberAsync(GroupId, UserId, cancellationToken);
        var push = new List<AddressedEnvelope>(await AnnounceAsync(
            transaction,
            group.MemberIds, // the removed member hears of it too
            new GroupEventPayload(leaving ? GroupEventPayload.MemberLeft : GroupEventPayload.MemberRemoved, GroupId, Actor, [UserId]),
            cancellationToken));
        var after = (await transaction.LoadGroupAsync(GroupId, cancellationToken))!;
        if (after.Members.Count > 0 && !after.Members.Any(m => m.Role == GroupRole.Admin))
        {
            var heir = after.Members.OrderBy(m => m.JoinedAt).ThenBy(m => m.UserId, StringComparer.Ordinal).First().UserId;
            await transaction.SetRoleAsync(GroupId, heir, GroupRole.Admin, cancellationToken);
            push.AddRange(await AnnounceAsync(transaction, after.MemberIds, new GroupEventPayload(GroupEventPayload.AdminPromoted, GroupId, Actor, [heir]), cancellationToken));
            after = (await transaction.LoadGroupAsync(GroupId, cancellationToken))!;
        }

        return new(after, push);
    }
}

public sealed record PromoteAdminOperation(string GroupId, string Actor, string UserId, DateTimeOffset Now, DateTimeOffset ExpiresAt)
    : GroupOperation(GroupId, Actor, Now, ExpiresAt)
{
    public override async Task<MailboxResult> ApplyAsync(IMailboxTransaction transaction, CancellationToken cancellationToken)
    {
        if (await transaction.LoadGroupAsync(GroupId, cancellationToken) is not { } group)
        {
            return NotFound(GroupId);
        }

        if (!group.IsAdmin(Actor))
        {
            return MailboxResult.Failed(ChatException.Forbidden("only group admins can promote members."));
        }

        if (group.Find(UserId) is not { } member)
        {
            return MailboxResult.Failed(ChatException.NotFound($"'{UserId}' is not a member of this group."));
        }

        if (member.Role == GroupRole.Admin)
        {
            return new(group, []);
        }

        await transaction.SetRoleAsync(GroupId, UserId, GroupRole.Admin, cancellationToken);
        var push = await AnnounceAsync(transaction, group.MemberIds, new GroupEventPayload(GroupEventPayload.AdminPromoted, GroupId, Actor, [UserId]), cancellationToken);
        return new((await transaction.LoadGroupAsync(GroupId, cancellationToken))!, push);
    }
}

/// <summary>
/// A group message, fanned out on write: one envelope per device of every member except the sender, each with its
/// own seq, and a copy on the sender's other devices (<paramref name="CopyExceptDevice"/>: the sending device, or
/// null when the sender has no other device).
/// </summary>
public sealed record GroupSendOperation(
    string GroupId, string Actor, string ClientMessageId, string Payload, Guid MessageId, DateTimeOffset Now, DateTimeOffset ExpiresAt, DateTimeOffset DedupExpiresAt, int? CopyExceptDevice = null)
    : GroupOperation(GroupId, Actor, Now, ExpiresAt)
{
    public override async Task<MailboxResult> ApplyAsync(IMailboxTransaction transaction, CancellationToken cancellationToken)
    {
        if (await transaction.LoadGroupAsync(GroupId, cancellationToken) is not { } group)
        {
            return NotFound(GroupId);
        }

        if (group.Find(Actor) is null)
        {
            return MailboxResult.Failed(ChatException.Forbidden("only members can send to this group."));
        }

        // The idempotency key lives in the sender's shard: a group send spans many shards anyway.
        if (await transaction.ClaimAsync(Actor, Actor, $"g:{GroupId}:{ClientMessageId}", MessageId, Now, DedupExpiresAt, cancellationToken) is { } first)
        {
            return new(new SendOutcome(SendStatus.Duplicate, first.MessageId, first.SentAt, []), []);
        }

        var recipients = group.MemberIds.Where(m => !string.Equals(m, Actor, StringComparison.Ordinal)).ToList();
        var draft = new EnvelopeDraft(MessageId, EnvelopeKind.Message, Actor, GroupId, Payload, Now, ExpiresAt, DedupExpiresAt);
        var push = new List<AddressedEnvelope>(await transaction.FanOutAsync(recipients, draft, cancellationToken));
        if (CopyExceptDevice is { } device)
        {
            push.AddRange(await transaction.StoreCopyAsync(Actor, device, draft, cancellationToken));
        }

        return new(new SendOutcome(SendStatus.Stored, MessageId, Now, []), push);
    }
}
