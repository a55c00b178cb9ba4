using Chat.Hubs.Chat;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Api.Auth;

/// <summary>
/// SignalR's "user" of a connection is its device address: the token's "sub" claim for the primary device, "sub/did"
/// for a linked one (see DeviceIds.AddressOf), so a push reaches exactly the connections of one device's mailbox.
/// </summary>
public sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => DeviceClaims.AddressOf(connection.User);
}
