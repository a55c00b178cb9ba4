using System.Net;
using Chat.Api.Devices;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Chat.IntegrationTests.Devices;

/// <summary>Two nodes on one database and one Redis: an unlink on one node takes effect on the other at once.</summary>
public sealed class MultiNodeUnlinkTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ApiFactory _nodeA = null!;
    private ApiFactory _nodeB = null!;

    public async Task InitializeAsync()
    {
        _nodeA = new ApiFactory { Time = _time, Settings = Settings() };
        await _nodeA.InitializeAsync();
        _nodeB = new ApiFactory { ConnectionString = _nodeA.ConnectionString, RedisPrefix = _nodeA.RedisPrefix, Time = _time, Settings = Settings() };
        await _nodeB.InitializeAsync();
    }

    private static Dictionary<string, string?> Settings() => new()
    {
        // The sweeper's own timer never fires within a test: it is run by hand.
        ["Devices:InactiveAfter"] = "00:01:00",
        ["Devices:SweepInterval"] = "1.00:00:00",
        ["Auth:TokenLifetime"] = "10.00:00:00",
    };

    public async Task DisposeAsync()
    {
        await _nodeB.DisposeAsync();
        await _nodeA.DisposeAsync();
    }

    [Fact]
    public async Task Unlinking_on_node_A_closes_the_session_and_refuses_the_token_on_node_B()
    {
        var bobId = Ids.User("bob");
        await _nodeA.RegisterAsync(bobId);
        var laptop = await _nodeA.SignInDeviceAsync(bobId, deviceName: "laptop");
        await using var onB = await _nodeB.ConnectWithTokenAsync(bobId, laptop.Token);
        var closed = new TaskCompletionSource();
        onB.Connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        using var laptopOnB = _nodeB.CreateClient(laptop.Token);
        Assert.Equal(HttpStatusCode.OK, (await laptopOnB.GetAsync("/api/me/devices")).StatusCode); // node B remembers the device now

        using var phoneOnA = _nodeA.CreateClient(await _nodeA.TokenAsync(bobId));
        using var unlink = await phoneOnA.DeleteAsync($"/api/me/devices/{laptop.DeviceId}");
        await closed.Task.OrTimeout();
        using var refused = await laptopOnB.GetAsync("/api/me/devices");

        Assert.Equal(HttpStatusCode.NoContent, unlink.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task A_linked_device_inactive_for_Devices_InactiveAfter_is_unlinked_on_every_node()
    {
        var bobId = Ids.User("bob");
        await _nodeA.RegisterAsync(bobId);
        var stale = await _nodeA.SignInDeviceAsync(bobId, deviceName: "old tablet");
        using var staleOnB = _nodeB.CreateClient(stale.Token);
        Assert.Equal(HttpStatusCode.OK, (await staleOnB.GetAsync("/api/me/devices")).StatusCode);

        var fresh = await _nodeA.SignInDeviceAsync(bobId, deviceName: "tablet in use");
        var primaryToken = await _nodeA.TokenAsync(bobId);

        _time.Advance(TimeSpan.FromMinutes(2));
        await using var inUse = await _nodeA.ConnectWithTokenAsync(bobId, fresh.Token); // connecting marks the device seen
        await inUse.FetchAsync(); // a call runs only after the connect handler has finished
        await _nodeA.Services.GetRequiredService<InactiveDeviceSweeper>().SweepOnceAsync(default);
        using var refused = await staleOnB.GetAsync("/api/me/devices");
        using var freshOnB = _nodeB.CreateClient(fresh.Token);
        using var primaryOnB = _nodeB.CreateClient(primaryToken);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await freshOnB.GetAsync("/api/me/devices")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await primaryOnB.GetAsync("/api/me/devices")).StatusCode); // the primary device is never unlinked
    }
}
