using Chat.Domain.Presence;
using Chat.IntegrationTests.Contacts;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.IntegrationTests.Presence;

/// <summary>Without Redis (the embedded default) presence lives in the process of the single node.</summary>
public sealed class InProcessPresenceTests : IAsyncLifetime
{
    private readonly ApiFactory _factory = new() { Settings = { ["ConnectionStrings:Redis"] = "" } };

    public Task InitializeAsync() => _factory.InitializeAsync();

    public Task DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task Without_redis_presence_is_tracked_in_process_and_announced()
    {
        var aliceId = Ids.User("alice");
        await _factory.RegisterAsync(aliceId);
        await using var bob = await _factory.ConnectReadyAsync(Ids.User("bob"));
        var bobSees = bob.Record();
        await _factory.UploadContactsAsync(bob.UserId, aliceId);

        var alice = await _factory.ConnectReadyAsync(aliceId, register: false);
        var online = await bobSees.NextPresenceAsync();
        await alice.DisposeAsync();
        var offline = await bobSees.NextPresenceAsync();
        var seen = await bob.PresenceOfAsync(aliceId);

        Assert.IsType<InMemoryPresenceRegistry>(_factory.Services.GetRequiredService<IPresenceRegistry>());
        Assert.Equal([true, false], new[] { online, offline }.Select(p => p.Online!.Value));
        Assert.Equal(((bool?)false, offline.LastSeen), (seen.Online, seen.LastSeen));
    }
}
