using Chat.Domain.Presence;
using Chat.Hubs.Chat;
using Chat.Hubs.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Hubs.Presence;

/// <summary>Pushes presence and typing through the recipients' user groups; the backplane carries them to other nodes.</summary>
public sealed class SignalRPresenceNotifier(IHubContext<ChatHub, IChatClient> hub) : IPresenceNotifier
{
    public Task PresenceChangedAsync(IReadOnlyCollection<string> recipients, PresenceView presence, CancellationToken cancellationToken) =>
        recipients.Count == 0 ? Task.CompletedTask : hub.Clients.Groups(GroupsOf(recipients)).PresenceChanged(PresenceDto.Of(presence));

    public Task TypingAsync(IReadOnlyCollection<string> recipients, string from, string? groupId, CancellationToken cancellationToken) =>
        recipients.Count == 0 ? Task.CompletedTask : hub.Clients.Groups(GroupsOf(recipients)).UserTyping(new TypingDto { From = from, GroupId = groupId });

    private static List<string> GroupsOf(IReadOnlyCollection<string> userIds) => userIds.Select(UserGroups.For).ToList();
}
