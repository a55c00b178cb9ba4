using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chat.IntegrationTests.Infrastructure;

namespace Chat.IntegrationTests.Push;

/// <summary>
/// The push hook against a real HTTP receiver: one wake-up per burst for an offline device, none for an online one,
/// retries that never hold up delivery, dead tokens removed.
/// </summary>
public sealed class PushHookTests : IAsyncLifetime
{
    private FakePushGateway _gateway = null!;
    private ApiFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _gateway = await FakePushGateway.StartAsync();
        _factory = new ApiFactory
        {
            Settings =
            {
                ["Push:WebhookUrl"] = _gateway.Url,
                ["Push:CoalesceDelay"] = "00:00:00.300",
                ["Push:MinInterval"] = "00:10:00",
                ["Push:RetryDelay"] = "00:00:00.050",
            },
        };
        await _factory.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task An_offline_device_gets_exactly_one_wake_up_for_a_burst_without_the_payload()
    {
        await using var alice = await _factory.ConnectAsync(Ids.User("alice"));
        var bobId = await OfflineUserWithTokenAsync("bob-token");
        var carolId = await OfflineUserWithTokenAsync("carol-token");

        for (var i = 0; i < 5; i++)
        {
            await alice.SendAsync(bobId, "secret payload " + i);
        }

        var wakeUp = await _gateway.NextAsync(w => w.UserId == bobId);
        await alice.SendAsync(carolId, "marker");
        await _gateway.NextAsync(w => w.UserId == carolId); // queued after the burst: anything more for bob came before it

        Assert.Equal(("fcm", "bob-token", 1, alice.UserId), (wakeUp.Provider, wakeUp.Token, wakeUp.DeviceId, wakeUp.From));
        Assert.InRange(wakeUp.Pending, 1, 5);
        Assert.Single(_gateway.Accepted, w => w.UserId == bobId);
        Assert.DoesNotContain(_gateway.Calls, body => body.Contains("secret payload", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_online_device_gets_no_wake_up()
    {
        await using var alice = await _factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await _factory.ConnectAsync(Ids.User("bob"));
        await bob.FetchAsync(); // a call runs only after the connect handler has registered the session
        await SetTokenAsync(bob.UserId, "online-token");
        var carolId = await OfflineUserWithTokenAsync("marker-token");

        await alice.SendAsync(bob.UserId, "live");
        await bob.ReceiveAsync();
        await alice.SendAsync(carolId, "marker");
        await _gateway.NextAsync(w => w.UserId == carolId);

        Assert.DoesNotContain(_gateway.Accepted, w => w.UserId == bob.UserId);
    }

    [Fact]
    public async Task A_failing_gateway_is_retried_and_never_blocks_delivery()
    {
        await using var alice = await _factory.ConnectAsync(Ids.User("alice"));
        await using var carol = await _factory.ConnectAsync(Ids.User("carol"));
        var bobId = await OfflineUserWithTokenAsync("retry-token");
        _gateway.FailFirst = 2;

        var sent = await alice.SendAsync(bobId, "while the gateway is down");
        var live = await alice.SendAsync(carol.UserId, "delivery goes on");
        var received = await carol.ReceiveAsync();
        var wakeUp = await _gateway.NextAsync(w => w.UserId == bobId);
        await using var bob = await _factory.ConnectAsync(bobId, register: false);
        var drained = await bob.DrainAsync();

        Assert.Equal(live.MessageId, received.MessageId);
        Assert.Equal(("retry-token", 1L), (wakeUp.Token, wakeUp.Pending));
        Assert.True(_gateway.Calls.Count >= 3, $"expected two failed calls and a retry, saw {_gateway.Calls.Count}");
        Assert.Equal(sent.MessageId, Assert.Single(drained).MessageId);
    }

    [Fact]
    public async Task A_token_the_gateway_reports_dead_is_removed()
    {
        await using var alice = await _factory.ConnectAsync(Ids.User("alice"));
        var bobId = await OfflineUserWithTokenAsync("dead-token");
        _gateway.DeadTokens.Add("dead-token");

        await alice.SendAsync(bobId, "to a dead token");
        await _gateway.NextAsync(w => w.Token == "dead-token");

        using var http = _factory.CreateClient(await _factory.TokenAsync(bobId));
        var removed = await EventuallyAsync(async () =>
            (await http.GetFromJsonAsync<JsonElement>("/api/me/devices")).GetProperty("devices")[0].GetProperty("pushProvider").ValueKind == JsonValueKind.Null);

        Assert.True(removed, "the dead token is still registered");
    }

    [Fact]
    public async Task Registering_a_push_token_validates_the_request()
    {
        var bobId = Ids.User("bob");
        await _factory.RegisterAsync(bobId);
        using var http = _factory.CreateClient(await _factory.TokenAsync(bobId));

        using var noToken = await http.PutAsJsonAsync("/api/me/devices/1/push", new { provider = "fcm" });
        using var unknownDevice = await http.PutAsJsonAsync("/api/me/devices/9/push", new { provider = "fcm", token = "t" });
        using var ok = await http.PutAsJsonAsync("/api/me/devices/1/push", new { provider = "apns", token = "t" });
        using var cleared = await http.DeleteAsync("/api/me/devices/1/push");

        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownDevice.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
    }

    /// <summary>The removal follows the gateway's answer on the server's own loop: check until true or the deadline.</summary>
    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TaskTimeouts.Default;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    private async Task<string> OfflineUserWithTokenAsync(string token)
    {
        var userId = Ids.User("u");
        await _factory.RegisterAsync(userId);
        await SetTokenAsync(userId, token);
        return userId;
    }

    private async Task SetTokenAsync(string userId, string token)
    {
        using var http = _factory.CreateClient(await _factory.TokenAsync(userId));
        using var response = await http.PutAsJsonAsync("/api/me/devices/1/push", new { provider = "fcm", token });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
