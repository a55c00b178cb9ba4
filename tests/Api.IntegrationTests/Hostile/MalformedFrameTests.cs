using System.Net;
using Chat.IntegrationTests.Infrastructure;

namespace Chat.IntegrationTests.Hostile;

/// <summary>
/// Frames no SignalR client sends: broken JSON or MessagePack closes the connection with invalid_request; a
/// well-formed invocation with wrong-typed or out-of-range values gets invalid_request and the connection stays
/// open. The server keeps serving and nothing stored changes.
/// </summary>
public sealed class MalformedFrameTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("""{"type":1,"target":"SendMessage","arguments":[{]}""")]
    [InlineData("""{"type":1,"target":"SendMessage","arguments":[{"clientMessageId":"x","to":"bob""")]
    [InlineData("""not json at all""")]
    [InlineData("""{"type":"one","target":"SendMessage"}""")]
    [InlineData("""[1,2,3]""")]
    public async Task Invalid_json_frame_closes_the_connection_with_invalid_request(string frame)
    {
        var token = await TokenAsync("jsonraw");
        var before = await StoredState.SnapshotAsync(factory.ConnectionString);
        using var socket = await RawHubSocket.ConnectAsync(factory, token);

        await socket.SendTextAsync(frame + "\u001e");
        var closedWith = await socket.ReceiveUntilCloseAsync();

        Assert.Contains("invalid_request", closedWith, StringComparison.Ordinal);
        await AssertServerUnharmedAsync(before);
    }

    [Theory]
    [InlineData(new byte[] { 0x03, 0xC1, 0xC1, 0xC1 })] // 0xC1 is never used in MessagePack
    [InlineData(new byte[] { 0x02, 0x92, 0xA3 })] // an array whose string is cut short
    [InlineData(new byte[] { 0x04, 0x94, 0x01, 0xC0, 0xC0 })] // an invocation missing its fields
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00 })] // a length prefix of 4 GiB
    public async Task Invalid_messagepack_frame_closes_the_connection_with_invalid_request(byte[] frame)
    {
        var token = await TokenAsync("packraw");
        var before = await StoredState.SnapshotAsync(factory.ConnectionString);
        using var socket = await RawHubSocket.ConnectAsync(factory, token, "messagepack");

        await socket.SendBinaryAsync(frame);
        var closedWith = await socket.ReceiveUntilCloseAsync();

        Assert.Contains("invalid_request", closedWith, StringComparison.Ordinal);
        await AssertServerUnharmedAsync(before);
    }

    [Theory]
    [InlineData("SendMessage", """{"clientMessageId":5,"to":true,"payload":["a"]}""")]
    [InlineData("SendMessage", """{"clientMessageId":"c1","to":"bob-0000000000","payload":"x","ttlSeconds":"soon"}""")]
    [InlineData("SendMessage", """{"clientMessageId":"c1","to":"bob-0000000000","payload":"x","ttlSeconds":1e40}""")]
    [InlineData("FetchPending", """{"afterSeq":1e30,"limit":10}""")]
    [InlineData("FetchPending", """{"afterSeq":"0","limit":10}""")]
    [InlineData("FetchPending", """{"afterSeq":0,"limit":99999999999}""")]
    [InlineData("Ack", """{"upToSeq":"everything"}""")]
    [InlineData("Ack", """{"upToSeq":-9223372036854775809}""")]
    [InlineData("MarkRead", """{"messageIds":"all"}""")]
    [InlineData("MarkRead", """{"messageIds":["not-a-guid"]}""")]
    [InlineData("GetPresence", """{"userIds":[1,2,3]}""")]
    [InlineData("Typing", """{"to":{"nested":"object"}}""")]
    [InlineData("SendMessage", """null""")]
    [InlineData("SendMessage", """[]""")]
    public async Task Wrong_typed_argument_gets_invalid_request_and_the_connection_stays_open(string method, string argument)
    {
        var token = await TokenAsync("typed");
        var before = await StoredState.SnapshotAsync(factory.ConnectionString);
        using var socket = await RawHubSocket.ConnectAsync(factory, token);

        await socket.SendTextAsync($$"""{"type":1,"invocationId":"7","target":"{{method}}","arguments":[{{argument}}]}""" + "\u001e");
        var answer = await socket.ReceiveContainingAsync("\"invocationId\":\"7\"");
        await socket.SendTextAsync("""{"type":1,"invocationId":"8","target":"FetchPending","arguments":[{"afterSeq":0,"limit":1}]}""" + "\u001e");
        var next = await socket.ReceiveContainingAsync("\"invocationId\":\"8\"");

        Assert.Contains("HubException: invalid_request: ", answer, StringComparison.Ordinal);
        Assert.Contains("\"result\":{\"envelopes\":[]", next, StringComparison.Ordinal);
        await AssertServerUnharmedAsync(before);
    }

    private async Task<string> TokenAsync(string name)
    {
        var userId = Ids.User(name);
        await factory.RegisterAsync(userId);
        return await factory.TokenAsync(userId);
    }

    /// <summary>The node still answers, and no row changed since <paramref name="before"/>.</summary>
    private async Task AssertServerUnharmedAsync(string before)
    {
        var after = await StoredState.SnapshotAsync(factory.ConnectionString);
        using var client = factory.CreateClient();
        using var live = await client.GetAsync("/health/live");

        Assert.Equal(before, after);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
