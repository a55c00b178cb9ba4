using Chat.Domain.Presence;
using Chat.Hubs.Chat;
using Chat.Hubs.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Hubs.Presence;

/// <summary>Pushes presence and typing to the recipients' connections (<see cref="UserAddressing"/>); the backplane carries them to other nodes.</summary>
public sealed class SignalRPresenceNotifier(IHubContext<ChatHub, IChatClient> hub, UserAddressing addressing) : IPresenceNotifier
{
    public Task PresenceChangedAsync(IReadOnlyCollection<string> recipients, PresenceView presence, CancellationToken cancellationToken) =>
        recipients.Count == 0 ? Task.CompletedTask : addressing.Users(hub.Clients, recipients).PresenceChanged(PresenceDto.Of(presence));

    public Task TypingAsync(IReadOnlyCollection<string> recipients, string from, string? groupId, CancellationToken cancellationToken) =>
        recipients.Count == 0 ? Task.CompletedTask : addressing.Users(hub.Clients, recipients).UserTyping(new TypingDto { From = from, GroupId = groupId });
}
