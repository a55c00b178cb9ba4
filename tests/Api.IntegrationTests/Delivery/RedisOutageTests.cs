using System.Net;
using Chat.IntegrationTests.Infrastructure;

namespace Chat.IntegrationTests.Delivery;

/// <summary>
/// Redis is the backplane, not the truth: with Redis unreachable, sessions still open, sends are still stored
/// and acknowledged, and recipients get everything by syncing.
/// </summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    // Nothing listens on port 1 of the loopback address: every Redis call fails fast or times out.
    private readonly ApiFactory _factory = new() { Settings = { ["ConnectionStrings:Redis"] = "127.0.0.1:1,connectTimeout=500" } };

    public Task InitializeAsync() => _factory.InitializeAsync();

    public Task DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task With_redis_down_sessions_open_and_messages_are_stored_and_synced()
    {
        await using var alice = await _factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await _factory.ConnectAsync(Ids.User("bob"));

        var sent = await alice.SendAsync(bob.UserId, "stored while redis is down");
        var synced = await bob.DrainAsync();
        var removed = await bob.AckAsync(synced.Single().Seq);
        using var ready = await _factory.CreateClient().GetAsync("/health/ready");

        Assert.Equal(sent.MessageId, synced.Single().MessageId);
        Assert.Equal(1, removed);
        Assert.Equal("delivered", Assert.Single(await alice.DrainAsync()).Kind);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }
}
