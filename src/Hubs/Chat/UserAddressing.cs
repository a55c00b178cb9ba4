using Microsoft.AspNetCore.SignalR;

namespace Chat.Hubs.Chat;

/// <summary>
/// How a push reaches every connection of a user. On the Redis backplane SignalR already subscribes each
/// connection's user channel when it connects, so Clients.User costs one publish and no subscription of its own;
/// a group per user there would add a second subscription per connection, and the backplane takes those one at a
/// time under a single lock (measured: 1,000 clients connecting at once queued for more than two seconds, so
/// sessions opened without push). On the in-process lifetime manager Clients.User scans every connection, so
/// there each connection joins a group named for its user and pushes go to that group.
/// </summary>
public sealed class UserAddressing(bool viaUserChannel)
{
    /// <summary>Whether a new connection must join its user's group (only without the backplane).</summary>
    public bool JoinsUserGroup => !viaUserChannel;

    /// <summary>The connections of one device address (<see cref="Chat.Domain.Devices.DeviceIds.AddressOf"/>).</summary>
    public T User<T>(IHubClients<T> clients, string address) =>
        viaUserChannel ? clients.User(address) : clients.Group(UserGroups.For(address));

    /// <summary>The connections of several device addresses.</summary>
    public T Users<T>(IHubClients<T> clients, IReadOnlyCollection<string> addresses) =>
        viaUserChannel ? clients.Users(addresses.ToList()) : clients.Groups(addresses.Select(UserGroups.For).ToList());
}
