using System.Net.WebSockets;
using System.Text;
using Chat.Hubs.Contracts;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.IntegrationTests.Hostile;

/// <summary>Hub input a hostile or broken client may send: each gets a stable code, or the connection is closed.</summary>
public sealed class HostileHubInputTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("nul-in-payload", "a\0b")]
    [InlineData("nul\0in-id", "fine")]
    public async Task SendMessage_WithNul_FailsWithInvalidRequestAndStoresNothing(string clientMessageId, string payload)
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));

        var code = await ChatClient.ErrorCodeOf(() => alice.SendAsync(bob.UserId, payload, clientMessageId));
        var after = await alice.SendAsync(bob.UserId, "next one is fine");

        Assert.Equal("invalid_request", code);
        var pending = Assert.Single(await bob.DrainAsync());
        Assert.Equal(after.MessageId, pending.MessageId);
    }

    [Theory]
    [InlineData("victim\n")]
    [InlineData("victim\r")]
    [InlineData("vic\ttim")]
    [InlineData("victim\0")]
    public async Task SendMessage_ToIdWithControlCharacter_FailsWithInvalidRequest(string to)
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));

        Assert.Equal("invalid_request", await ChatClient.ErrorCodeOf(() => alice.SendAsync(to, "hi")));
    }

    [Fact]
    public async Task Typing_ToGroupIdWithNul_FailsWithInvalidRequest()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));

        var code = await ChatClient.ErrorCodeOf(() => alice.Connection.InvokeAsync("Typing", new TypingRequest { GroupId = "abc\0def" }).OrTimeout());

        Assert.Equal("invalid_request", code);
    }

    [Theory]
    [InlineData("fetchpending")]
    [InlineData("FETCHPENDING")]
    [InlineData("NoSuchMethod")]
    public async Task Invoke_WithMethodNameNotExactlyAsDocumented_FailsWithInvalidRequest(string method)
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));

        var code = await ChatClient.ErrorCodeOf(() => alice.Connection.InvokeAsync<object>(method, new FetchPendingRequest { Limit = 10 }).OrTimeout());
        var exact = await alice.FetchAsync();

        Assert.Equal("invalid_request", code);
        Assert.Empty(exact.Envelopes);
    }

    [Fact]
    public async Task SendMessage_WithWrongArgumentTypeOrNoArgument_FailsWithInvalidRequest()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));

        var wrongType = await ChatClient.ErrorCodeOf(() => alice.Connection.InvokeAsync<object>("SendMessage", 42).OrTimeout());
        var noArgument = await ChatClient.ErrorCodeOf(() => alice.Connection.InvokeAsync<object>("SendMessage").OrTimeout());
        var tooMany = await ChatClient.ErrorCodeOf(() => alice.Connection.InvokeAsync<object>("Ack", new AckRequest { UpToSeq = 1 }, 7).OrTimeout());

        Assert.Equal("invalid_request", wrongType);
        Assert.Equal("invalid_request", noArgument);
        Assert.Equal("invalid_request", tooMany);
        Assert.Equal(HubConnectionState.Connected, alice.Connection.State);
    }

    [Fact]
    public async Task Frame_OfUnknownMessageType_ClosesTheConnection()
    {
        var userId = Ids.User("raw");
        await factory.RegisterAsync(userId);
        var token = await factory.TokenAsync(userId);
        var client = factory.Server.CreateWebSocketClient();
        using var socket = await client.ConnectAsync(new UriBuilder(new Uri(factory.Server.BaseAddress, $"/hubs/chat?access_token={token}")) { Scheme = "ws" }.Uri, default).OrTimeout();
        await SendFrameAsync(socket, """{"protocol":"json","version":1}""");
        Assert.Equal("{}", await ReceiveFrameAsync(socket));

        await SendFrameAsync(socket, """{"type":99}""");
        var closed = await ReceiveUntilCloseAsync(socket).OrTimeout();

        Assert.Contains("error", closed, StringComparison.OrdinalIgnoreCase);
    }

    private static Task SendFrameAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json + "\u001e"), WebSocketMessageType.Text, endOfMessage: true, default);

    private static async Task<string> ReceiveFrameAsync(WebSocket socket)
    {
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, default).OrTimeout();
        return Encoding.UTF8.GetString(buffer, 0, result.Count).TrimEnd('\u001e');
    }

    /// <summary>Reads frames (pings) until the server closes; returns the last frame before the close (the close message).</summary>
    private static async Task<string> ReceiveUntilCloseAsync(WebSocket socket)
    {
        var last = "";
        var buffer = new byte[4096];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, default);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return last;
            }

            last = Encoding.UTF8.GetString(buffer, 0, result.Count);
        }
    }
}
