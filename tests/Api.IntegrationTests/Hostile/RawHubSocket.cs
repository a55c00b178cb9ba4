using System.Net.WebSockets;
using System.Text;
using Chat.IntegrationTests.Infrastructure;

namespace Chat.IntegrationTests.Hostile;

/// <summary>A hub connection over a bare WebSocket, for frames no SignalR client would send.</summary>
public sealed class RawHubSocket(WebSocket socket) : IDisposable
{
    public WebSocket Socket => socket;

    /// <summary>Connects and completes the handshake with "json" or "messagepack".</summary>
    public static async Task<RawHubSocket> ConnectAsync(ApiFactory factory, string token, string protocol = "json")
    {
        var client = factory.Server.CreateWebSocketClient();
        var uri = new UriBuilder(new Uri(factory.Server.BaseAddress, $"/hubs/chat?access_token={token}")) { Scheme = "ws" }.Uri;
        var socket = await client.ConnectAsync(uri, default).OrTimeout();
        var raw = new RawHubSocket(socket);
        await raw.SendTextAsync($$"""{"protocol":"{{protocol}}","version":1}""" + "\u001e");
        var handshake = await raw.ReceiveTextAsync();
        return handshake.StartsWith("{}", StringComparison.Ordinal) ? raw : throw new InvalidOperationException($"handshake refused: {handshake}");
    }

    public Task SendTextAsync(string text) => socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, default);

    public Task SendBinaryAsync(byte[] bytes) => socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: true, default);

    public async Task<string> ReceiveTextAsync()
    {
        var buffer = new byte[64 * 1024];
        var result = await socket.ReceiveAsync(buffer, default).OrTimeout();
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    /// <summary>Reads frames until one contains <paramref name="marker"/>; returns it (text, or the printable bytes of a binary frame).</summary>
    public async Task<string> ReceiveContainingAsync(string marker)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, default).OrTimeout();
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"closed before a frame containing '{marker}'");
            }

            var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
            if (text.Contains(marker, StringComparison.Ordinal))
            {
                return text;
            }
        }
    }

    /// <summary>Reads frames (pings) until the server closes; returns everything received before the close, as text.</summary>
    public async Task<string> ReceiveUntilCloseAsync()
    {
        var received = new StringBuilder();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, default).OrTimeout();
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return received.ToString();
            }

            received.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
    }

    public void Dispose() => socket.Dispose();
}
