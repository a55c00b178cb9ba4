using System.Net;
using Chat.IntegrationTests.Infrastructure;

namespace Chat.IntegrationTests.Delivery;

/// <summary>
/// Redis is the backplane, not the truth: with Redis unreachable, sessions still open, sends are still stored
/// and acknowledged, and recipients get everything by syncing.
/// </summary>
public sealed class RedisOutageTests
{
    // Nothing listens on port 1 of the loopback address: every Redis call fails fast or times out.
    private static async Task<ApiFactory> StartAsync(string degradedSessionLifetime)
    {
        var factory = new ApiFactory
        {
            Settings =
            {
                ["ConnectionStrings:Redis"] = "127.0.0.1:1,connectTimeout=500",
                ["Redis:DegradedSessionLifetime"] = degradedSessionLifetime,
            },
        };
        await factory.InitializeAsync();
        return factory;
    }

    [Fact]
    public async Task With_redis_down_sessions_open_and_messages_are_stored_and_synced()
    {
        await using var factory = await StartAsync("00:10:00");
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));

        var sent = await alice.SendAsync(bob.UserId, "stored while redis is down");
        var synced = await bob.DrainAsync();
        var removed = await bob.AckAsync(synced.Single().Seq);
        using var ready = await factory.CreateClient().GetAsync("/health/ready");

        Assert.Equal(sent.MessageId, synced.Single().MessageId);
        Assert.Equal(1, removed);
        Assert.Equal("delivered", Assert.Single(await alice.DrainAsync()).Kind);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    [Fact]
    public async Task A_session_opened_without_redis_is_closed_later_so_it_reconnects_with_push()
    {
        await using var factory = await StartAsync("00:00:02");
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        alice.Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        await closed.Task.OrTimeout(TimeSpan.FromSeconds(30));

        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Disconnected, alice.Connection.State);
    }
}
