using Chat.Hubs.Contracts;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.IntegrationTests.Presence;

public static class PresenceClientExtensions
{
    /// <summary>
    /// Connects and waits until the server has run OnConnectedAsync (a call on a connection is answered only
    /// after it): from then on the user is in their push group and counts as online.
    /// </summary>
    public static async Task<ChatClient> ConnectReadyAsync(this ApiFactory factory, string userId, bool register = true)
    {
        var client = await factory.ConnectAsync(userId, register);
        await client.GetPresenceAsync(userId);
        return client;
    }

    /// <summary>Starts recording presence and typing calls; register before triggering them.</summary>
    public static PresenceRecorder Record(this ChatClient client) => new(client.Connection);

    public static Task<GetPresenceResponse> GetPresenceAsync(this ChatClient client, params string[] userIds) =>
        client.Connection.InvokeAsync<GetPresenceResponse>("GetPresence", new GetPresenceRequest { UserIds = userIds }).OrTimeout();

    public static Task TypingAsync(this ChatClient client, string? to = null, string? groupId = null) =>
        client.Connection.InvokeAsync("Typing", new TypingRequest { To = to, GroupId = groupId }).OrTimeout();

    public static async Task<PresenceDto> PresenceOfAsync(this ChatClient client, string userId) =>
        Assert.Single((await client.GetPresenceAsync(userId)).Presences);
}
