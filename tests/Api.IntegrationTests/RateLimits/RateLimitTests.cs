using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Chat.IntegrationTests.RateLimits;

/// <summary>
/// The per-user limits on two nodes sharing PostgreSQL and Redis: what one node grants, the other does not grant
/// again. Limits are set low here; the bucket barely refills during a test (one token a thousand seconds).
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> LowLimits = new()
    {
        ["RateLimits:SendsPerSecond"] = "0.001",
        ["RateLimits:SendBurst"] = "3",
        ["RateLimits:ConnectAttemptsPerMinute"] = "0.06",
        ["RateLimits:ConnectAttemptBurst"] = "5",
        ["RateLimits:MaxConnectionsPerUser"] = "2",
        ["RateLimits:LeaseSize"] = "2",
    };

    private ApiFactory _nodeA = null!;
    private ApiFactory _nodeB = null!;

    public async Task InitializeAsync()
    {
        _nodeA = new ApiFactory { Settings = new Dictionary<string, string?>(LowLimits) };
        await _nodeA.InitializeAsync();
        _nodeB = new ApiFactory { ConnectionString = _nodeA.ConnectionString, RedisPrefix = _nodeA.RedisPrefix, Settings = new Dictionary<string, string?>(LowLimits) };
        await _nodeB.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _nodeB.DisposeAsync();
        await _nodeA.DisposeAsync();
    }

    [Fact]
    public async Task Sends_over_the_per_user_limit_are_refused_with_rate_limited_on_every_node_and_store_nothing()
    {
        using var refusedOnA = new RefusalCounter(_nodeA);
        using var refusedOnB = new RefusalCounter(_nodeB);
        await using var aliceOnA = await _nodeA.ConnectAsync(Ids.User("alice"));
        await using var aliceOnB = await _nodeB.ConnectAsync(aliceOnA.UserId, register: false);
        await using var bob = await _nodeA.ConnectAsync(Ids.User("bob"));

        await aliceOnA.SendAsync(bob.UserId, "1");
        await aliceOnB.SendAsync(bob.UserId, "2");
        await aliceOnA.SendAsync(bob.UserId, "3");
        var onB = await Assert.ThrowsAsync<HubException>(() => aliceOnB.SendAsync(bob.UserId, "4"));
        var onA = await Assert.ThrowsAsync<HubException>(() => aliceOnA.SendAsync(bob.UserId, "5"));
        var othersUnaffected = await bob.SendAsync(aliceOnA.UserId, "bob has his own allowance");

        Assert.Contains("HubException: rate_limited: ", onB.Message, StringComparison.Ordinal);
        Assert.Matches(@"retry after \d+ ms", onB.Message);
        Assert.Contains("HubException: rate_limited: ", onA.Message, StringComparison.Ordinal);
        Assert.Equal(["1", "2", "3"], (await bob.DrainAsync()).Select(e => e.Payload).Order());
        Assert.NotEqual(Guid.Empty, othersUnaffected.MessageId);
        Assert.Equal((1, 1), (refusedOnA.Of("send"), refusedOnB.Of("send")));
    }

    [Fact]
    public async Task New_sessions_over_the_per_user_limit_are_refused_with_429_on_every_node()
    {
        var userId = Ids.User("reconnector");
        await _nodeA.RegisterAsync(userId);
        var token = await _nodeA.TokenAsync(userId);

        var statuses = new List<HttpStatusCode>();
        foreach (var node in new[] { _nodeA, _nodeB, _nodeA, _nodeB, _nodeA })
        {
            statuses.Add(await NegotiateAsync(node, token));
        }

        using var client = _nodeB.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var refused = await client.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", null).OrTimeout();
        var otherUser = Ids.User("other");
        await _nodeB.RegisterAsync(otherUser);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        using var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("rate_limited", body.RootElement.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, await NegotiateAsync(_nodeB, await _nodeB.TokenAsync(otherUser)));
    }

    [Fact]
    public async Task A_connection_over_the_per_user_cap_is_closed_with_rate_limited_counting_every_node()
    {
        using var refusals = new RefusalCounter(_nodeA);
        await using var first = await _nodeA.ConnectAsync(Ids.User("phone"));
        await using var second = await _nodeB.ConnectAsync(first.UserId, register: false);

        await using var third = await _nodeA.ConnectAsync(first.UserId, register: false);
        var closedWith = await third.ClosedWith.OrTimeout();
        await second.Connection.StopAsync().OrTimeout();
        await using var replacement = await _nodeA.ConnectAsync(first.UserId, register: false);
        var sent = await replacement.SendAsync(first.UserId, "room again");

        Assert.Contains("rate_limited: ", closedWith?.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Connected, first.Connection.State);
        Assert.NotEqual(Guid.Empty, sent.MessageId);
        Assert.Equal(1, refusals.Of("connections"));
    }

    private static async Task<HttpStatusCode> NegotiateAsync(ApiFactory node, string token)
    {
        using var client = node.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", null).OrTimeout();
        return response.StatusCode;
    }
}
