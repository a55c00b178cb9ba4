using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Dapper;
using Npgsql;

namespace Chat.IntegrationTests.Delivery;

public sealed class ErrorCodeTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData(null, "ok-user", "p")]
    [InlineData("", "ok-user", "p")]
    [InlineData("c1", "Not A User!", "p")]
    [InlineData("c1", null, "p")]
    [InlineData("c1", "ok-user", null)]
    public async Task SendMessage_WithInvalidInput_FailsWithInvalidRequest(string? clientMessageId, string? to, string? payload)
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));

        var code = await ChatClient.ErrorCodeOf(() => alice.Connection.InvokeAsync<object>(
            "SendMessage", new Hubs.Contracts.SendMessageRequest { ClientMessageId = clientMessageId, To = to, Payload = payload }));

        Assert.Equal("invalid_request", code);
    }

    [Fact]
    public async Task SendMessage_WithNegativeTtl_FailsWithInvalidRequest()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));

        Assert.Equal("invalid_request", await ChatClient.ErrorCodeOf(() => alice.SendAsync(alice.UserId, "x", ttlSeconds: 0)));
    }

    [Fact]
    public async Task FetchPending_WithLimitOutOfRange_FailsWithInvalidRequest()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));

        Assert.Equal("invalid_request", await ChatClient.ErrorCodeOf(() => alice.FetchAsync(0, 501)));
        Assert.Equal("invalid_request", await ChatClient.ErrorCodeOf(() => alice.FetchAsync(-1, 10)));
        Assert.Equal("invalid_request", await ChatClient.ErrorCodeOf(() => alice.AckAsync(0)));
    }

    [Fact]
    public async Task SendMessage_ToUnknownUser_FailsWithNotFound()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));

        Assert.Equal("not_found", await ChatClient.ErrorCodeOf(() => alice.SendAsync(Ids.User("ghost"), "boo")));
    }

    [Fact]
    public async Task SendMessage_WithPayloadOverLimit_FailsWithPayloadTooLargeAndStoresNothing()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));

        var code = await ChatClient.ErrorCodeOf(() => alice.SendAsync(bob.UserId, new string('é', 40_000))); // 80,000 UTF-8 bytes

        Assert.Equal("payload_too_large", code);
        Assert.Empty(await bob.DrainAsync());
        await alice.SendAsync(bob.UserId, new string('a', 65_536)); // exactly at the limit is fine
        Assert.Single(await bob.DrainAsync());
    }

    [Fact]
    public async Task SendMessage_WhenTheStoreFails_FailsWithUnavailableAndLosesNothingAfterRecovery()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));
        await using var admin = new NpgsqlConnection(factory.ConnectionString);
        await admin.ExecuteAsync("ALTER TABLE envelopes RENAME TO envelopes_offline");
        string code;
        try
        {
            code = await ChatClient.ErrorCodeOf(() => alice.SendAsync(bob.UserId, "during outage", clientMessageId: "outage-1"));
        }
        finally
        {
            await admin.ExecuteAsync("ALTER TABLE envelopes_offline RENAME TO envelopes");
        }

        var retried = await alice.SendAsync(bob.UserId, "during outage", clientMessageId: "outage-1");

        Assert.Equal("unavailable", code);
        var pending = Assert.Single(await bob.DrainAsync());
        Assert.Equal(retried.MessageId, pending.MessageId);
    }
}
