using Chat.Domain.Devices;
using Chat.Domain.Presence;
using Chat.Hubs.Chat;
using Chat.Hubs.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Hubs.Presence;

/// <summary>Pushes presence and typing to the recipients' connections (<see cref="UserAddressing"/>); the backplane carries them to other nodes.</summary>
/// <remarks>Presence and typing concern users, so they go to every device of each recipient.</remarks>
public sealed class SignalRPresenceNotifier(IHubContext<ChatHub, IChatClient> hub, UserAddressing addressing, DeviceDirectory devices) : IPresenceNotifier
{
    public async Task PresenceChangedAsync(IReadOnlyCollection<string> recipients, PresenceView presence, CancellationToken cancellationToken)
    {
        if (recipients.Count > 0)
        {
            await addressing.Users(hub.Clients, await AddressesOfAsync(recipients, cancellationToken)).PresenceChanged(PresenceDto.Of(presence));
        }
    }

    public async Task TypingAsync(IReadOnlyCollection<string> recipients, string from, string? groupId, CancellationToken cancellationToken)
    {
        if (recipients.Count > 0)
        {
            await addressing.Users(hub.Clients, await AddressesOfAsync(recipients, cancellationToken)).UserTyping(new TypingDto { From = from, GroupId = groupId });
        }
    }

    private async Task<List<string>> AddressesOfAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        var byUser = await devices.DeviceIdsOfAsync(userIds, cancellationToken);
        var addresses = new List<string>(userIds.Count);
        foreach (var (userId, ids) in byUser)
        {
            foreach (var id in ids)
            {
                addresses.Add(DeviceIds.AddressOf(userId, id));
            }
        }

        return addresses;
    }
}
