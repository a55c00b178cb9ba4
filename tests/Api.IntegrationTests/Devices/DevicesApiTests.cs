using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.IntegrationTests.Devices;

/// <summary>Signing in as a device, and /api/me/devices: list, rename, unlink, limits and errors.</summary>
public sealed class DevicesApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Signing_in_with_a_device_name_links_a_device_that_the_list_shows()
    {
        var bobId = Ids.User("bob");
        await factory.RegisterAsync(bobId);

        var primary = await factory.SignInDeviceAsync(bobId);
        var laptop = await factory.SignInDeviceAsync(bobId, deviceName: "laptop");
        var again = await factory.SignInDeviceAsync(bobId, deviceId: laptop.DeviceId);
        using var http = factory.CreateClient(laptop.Token);
        var list = await http.GetFromJsonAsync<JsonElement>("/api/me/devices");

        Assert.Equal((1, 2, 2), (primary.DeviceId, laptop.DeviceId, again.DeviceId));
        var devices = list.GetProperty("devices").EnumerateArray().ToList();
        Assert.Equal([1, 2], devices.Select(d => d.GetProperty("deviceId").GetInt32()));
        Assert.Equal(["primary", "laptop"], devices.Select(d => d.GetProperty("name").GetString()));
        Assert.Equal([true, false], devices.Select(d => d.GetProperty("primary").GetBoolean()));
        Assert.Equal([false, true], devices.Select(d => d.GetProperty("current").GetBoolean()));
    }

    [Fact]
    public async Task Rename_changes_the_name_and_refuses_a_bad_one()
    {
        var bobId = Ids.User("bob");
        await factory.RegisterAsync(bobId);
        var laptop = await factory.SignInDeviceAsync(bobId, deviceName: "laptop");
        using var http = factory.CreateClient(laptop.Token);

        using var renamed = await http.PatchAsJsonAsync($"/api/me/devices/{laptop.DeviceId}", new { name = "work laptop" });
        using var empty = await http.PatchAsJsonAsync($"/api/me/devices/{laptop.DeviceId}", new { name = "" });
        using var unknown = await http.PatchAsJsonAsync("/api/me/devices/77", new { name = "x" });
        var list = await http.GetFromJsonAsync<JsonElement>("/api/me/devices");

        Assert.Equal(HttpStatusCode.NoContent, renamed.StatusCode);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (empty.StatusCode, await CodeOfAsync(empty)));
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (unknown.StatusCode, await CodeOfAsync(unknown)));
        Assert.Contains(list.GetProperty("devices").EnumerateArray(), d => d.GetProperty("name").GetString() == "work laptop");
    }

    [Fact]
    public async Task An_account_links_at_most_Devices_MaxLinked_devices()
    {
        var bobId = Ids.User("bob");
        await factory.RegisterAsync(bobId);
        for (var i = 0; i < 4; i++)
        {
            await factory.SignInDeviceAsync(bobId, deviceName: $"device {i}");
        }

        using var http = factory.CreateClient();
        using var fifth = await http.PostAsJsonAsync("/api/tokens", new { userId = bobId, password = "correct horse battery", deviceName = "one too many" });
        using var unknown = await http.PostAsJsonAsync("/api/tokens", new { userId = bobId, password = "correct horse battery", deviceId = 42 });
        using var both = await http.PostAsJsonAsync("/api/tokens", new { userId = bobId, password = "correct horse battery", deviceId = 1, deviceName = "x" });

        Assert.Equal((HttpStatusCode.Conflict, "conflict"), (fifth.StatusCode, await CodeOfAsync(fifth)));
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (unknown.StatusCode, await CodeOfAsync(unknown)));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (both.StatusCode, await CodeOfAsync(both)));
    }

    [Fact]
    public async Task Unlinking_refuses_the_devices_tokens_at_once_closes_its_session_and_drops_its_queue()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var phone = await factory.ConnectAsync(Ids.User("bob"));
        await using var laptop = await factory.ConnectNewDeviceAsync(phone.UserId);
        await alice.SendAsync(phone.UserId, "pending on the laptop");
        await laptop.ReceiveAsync();
        var closed = new TaskCompletionSource();
        laptop.Connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        using var asPhone = factory.CreateClient(phone.Token.Length > 0 ? phone.Token : await factory.TokenAsync(phone.UserId));
        using var asLaptop = factory.CreateClient(laptop.Token);
        Assert.Equal(HttpStatusCode.OK, (await asLaptop.GetAsync("/api/me/devices")).StatusCode); // the node now remembers the device

        using var unlink = await asPhone.DeleteAsync($"/api/me/devices/{laptop.DeviceId}");
        await closed.Task.OrTimeout();
        using var refused = await asLaptop.GetAsync("/api/me/devices");
        using var primary = await asPhone.DeleteAsync("/api/me/devices/1");
        using var signIn = await factory.CreateClient().PostAsJsonAsync("/api/tokens", new { userId = phone.UserId, password = "correct horse battery", deviceId = laptop.DeviceId });
        var list = await asPhone.GetFromJsonAsync<JsonElement>("/api/me/devices");

        Assert.Equal(HttpStatusCode.NoContent, unlink.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (primary.StatusCode, await CodeOfAsync(primary)));
        Assert.Equal(HttpStatusCode.NotFound, signIn.StatusCode);
        Assert.Equal([1], list.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("deviceId").GetInt32()));
        await Assert.ThrowsAnyAsync<Exception>(() => factory.ConnectWithTokenAsync(phone.UserId, laptop.Token));
    }

    [Fact]
    public async Task A_client_that_names_no_device_is_the_primary_device()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));
        await using var laptop = await factory.ConnectNewDeviceAsync(bob.UserId);

        var sent = await alice.SendAsync(bob.UserId, "hi");
        var received = await bob.ReceiveAsync();
        using var http = factory.CreateClient(await factory.TokenAsync(bob.UserId));
        var list = await http.GetFromJsonAsync<JsonElement>("/api/me/devices");

        Assert.Equal((sent.MessageId, 1L, false), (received.MessageId, received.Seq, received.Copy));
        Assert.Equal(1, list.GetProperty("devices").EnumerateArray().Single(d => d.GetProperty("current").GetBoolean()).GetProperty("deviceId").GetInt32());
        Assert.Equal(HubConnectionState.Connected, laptop.Connection.State);
    }

    private static async Task<string> CodeOfAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
}
