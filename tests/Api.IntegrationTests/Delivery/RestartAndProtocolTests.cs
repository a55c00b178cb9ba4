using Chat.IntegrationTests.Infrastructure;

namespace Chat.IntegrationTests.Delivery;

public sealed class RestartAndProtocolTests
{
    [Fact]
    public async Task Messages_acknowledged_before_a_restart_are_delivered_by_a_new_instance()
    {
        var database = await TestServers.CreateDatabaseAsync("restart");
        var (aliceId, bobId) = (Ids.User("alice"), Ids.User("bob"));
        var sent = new List<Guid>();
        await using (var first = new ApiFactory { ConnectionString = database })
        {
            await first.InitializeAsync();
            await first.RegisterAsync(bobId);
            await using var alice = await first.ConnectAsync(aliceId);
            for (var i = 0; i < 20; i++)
            {
                sent.Add((await alice.SendAsync(bobId, $"before restart {i}")).MessageId);
            }
        }

        await using var second = new ApiFactory { ConnectionString = database };
        await second.InitializeAsync();
        await using var bob = await second.ConnectAsync(bobId, register: false);
        var drained = await bob.DrainAsync();

        Assert.Equal(sent, drained.Select(e => e.MessageId));
    }

    [Fact]
    public async Task MessagePack_clients_send_and_receive_with_the_same_field_names()
    {
        await using var factory = new ApiFactory();
        await factory.InitializeAsync();
        await using var alice = await factory.ConnectAsync(Ids.User("alice"), messagePack: true);
        await using var bob = await factory.ConnectAsync(Ids.User("bob"), messagePack: true);

        var sent = await alice.SendAsync(bob.UserId, "packed", ttlSeconds: 3600);
        var envelope = await bob.ReceiveAsync();
        var fetched = Assert.Single((await bob.FetchAsync()).Envelopes);

        Assert.Equal(sent.MessageId, envelope.MessageId);
        Assert.Equal(("message", alice.UserId, "packed", 1L), (envelope.Kind, envelope.From, envelope.Payload, envelope.Seq));
        Assert.Equal(envelope.MessageId, fetched.MessageId);
        Assert.Equal(1, await bob.AckAsync(1));
    }
}
