using Chat.Infrastructure.Storage;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.IntegrationTests.Delivery;

/// <summary>The default a newcomer gets from `dotnet run`: SQLite, one node, no external server.</summary>
public sealed class EmbeddedStoreTests : IAsyncLifetime
{
    private readonly ApiFactory _factory = new() { Embedded = true };

    public Task InitializeAsync() => _factory.InitializeAsync();

    public Task DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task Embedded_default_delivers_acks_and_sends_receipts()
    {
        await using var alice = await _factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await _factory.ConnectAsync(Ids.User("bob"));

        var sent = await alice.SendAsync(bob.UserId, "on sqlite");
        var live = await bob.ReceiveAsync();
        var removed = await bob.AckAsync(live.Seq);
        var receipt = await alice.ReceiveAsync(e => e.Kind == "delivered");

        Assert.Equal("sqlite", _factory.Services.GetRequiredService<StorageKind>().Name);
        Assert.Equal((sent.MessageId, "on sqlite"), (live.MessageId, live.Payload));
        Assert.Equal(1, removed);
        Assert.Equal(sent.MessageId, receipt.MessageId);
        Assert.Empty(await bob.DrainAsync());
    }
}
