using Chat.Api.Presence;
using Chat.Domain.Presence;
using Chat.Infrastructure.Redis;
using Chat.IntegrationTests.Contacts;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Chat.IntegrationTests.Presence;

/// <summary>Two hosts on one database and one Redis prefix: two nodes of one deployment.</summary>
public sealed class MultiNodePresenceTests : IAsyncLifetime
{
    // Short, so a node that stops heartbeating is noticed within a test's patience.
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(2);

    private ApiFactory _nodeA = null!;
    private ApiFactory _nodeB = null!;

    public async Task InitializeAsync()
    {
        _nodeA = new ApiFactory { Settings = { ["Presence:NodeTimeout"] = NodeTimeout.ToString() } };
        await _nodeA.InitializeAsync();
        _nodeB = new ApiFactory
        {
            ConnectionString = _nodeA.ConnectionString,
            RedisPrefix = _nodeA.RedisPrefix,
            Settings = { ["Presence:NodeTimeout"] = NodeTimeout.ToString() },
        };
        await _nodeB.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _nodeB.DisposeAsync();
        await _nodeA.DisposeAsync();
    }

    [Fact]
    public async Task A_user_on_node_B_going_online_and_offline_is_announced_to_a_contact_on_node_A()
    {
        var aliceId = Ids.User("alice");
        await _nodeA.RegisterAsync(aliceId);
        await using var bob = await _nodeA.ConnectReadyAsync(Ids.User("bob"));
        var bobSees = bob.Record();
        await _nodeA.UploadContactsAsync(bob.UserId, aliceId);

        var alice = await _nodeB.ConnectReadyAsync(aliceId, register: false);
        var online = await bobSees.NextPresenceAsync();
        var queriedOnA = await bob.PresenceOfAsync(aliceId);
        await alice.DisposeAsync();
        var offline = await bobSees.NextPresenceAsync();

        Assert.Equal((aliceId, (bool?)true), (online.UserId, online.Online));
        Assert.Equal((bool?)true, queriedOnA.Online);
        Assert.Equal((aliceId, (bool?)false), (offline.UserId, offline.Online));
        Assert.NotNull(offline.LastSeen);
    }

    [Fact]
    public async Task Users_of_a_node_that_stops_heartbeating_appear_offline_on_the_other_node()
    {
        var aliceId = Ids.User("alice");
        await _nodeA.RegisterAsync(aliceId);
        await using var bob = await _nodeA.ConnectReadyAsync(Ids.User("bob"));
        var bobSees = bob.Record();
        await _nodeA.UploadContactsAsync(bob.UserId, aliceId);
        await using var alice = await _nodeB.ConnectReadyAsync(aliceId, register: false);
        Assert.Equal((bool?)true, (await bobSees.NextPresenceAsync()).Online);

        // Node B goes silent without closing Alice's connection, as a crashed or partitioned node would.
        var heartbeat = _nodeB.Services.GetServices<IHostedService>().OfType<PresenceHeartbeat>().Single();
        await heartbeat.StopAsync(CancellationToken.None).OrTimeout();
        var offline = await bobSees.NextPresenceAsync(NodeTimeout * 5);
        var queriedOnA = await bob.PresenceOfAsync(aliceId);

        Assert.Equal((aliceId, (bool?)false), (offline.UserId, offline.Online));
        Assert.NotNull(offline.LastSeen);
        Assert.Equal(((bool?)false, offline.LastSeen), (queriedOnA.Online, queriedOnA.LastSeen));
    }

    [Fact]
    public async Task Each_node_registers_under_its_own_id_and_sees_the_other_nodes_users()
    {
        var registryA = Assert.IsType<RedisPresenceRegistry>(_nodeA.Services.GetRequiredService<IPresenceRegistry>());
        var registryB = Assert.IsType<RedisPresenceRegistry>(_nodeB.Services.GetRequiredService<IPresenceRegistry>());
        await using var alice = await _nodeB.ConnectReadyAsync(Ids.User("alice"));

        var online = await registryA.GetOnlineAsync([alice.UserId], default);

        Assert.NotEqual(registryA.NodeId, registryB.NodeId);
        Assert.Contains(alice.UserId, online);
    }
}
