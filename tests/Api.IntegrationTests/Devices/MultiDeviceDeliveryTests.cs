using Chat.IntegrationTests.Groups;
using Microsoft.AspNetCore.SignalR.Client;
using Chat.IntegrationTests.Infrastructure;

namespace Chat.IntegrationTests.Devices;

/// <summary>
/// Two devices of one user, each with its own mailbox: every message reaches both, each acks on its own, and the
/// sender hears one receipt per message. Run on PostgreSQL with Redis and on the embedded SQLite default.
/// </summary>
public abstract class MultiDeviceDeliveryTests(ApiFactory factory)
{
    [Fact]
    public async Task Two_devices_each_receive_and_ack_every_message_independently()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var phone = await factory.ConnectAsync(Ids.User("bob"));
        await using var laptop = await factory.ConnectNewDeviceAsync(phone.UserId);

        var sent = new List<Guid>();
        for (var i = 1; i <= 3; i++)
        {
            sent.Add((await alice.SendAsync(phone.UserId, $"m{i}")).MessageId);
        }

        var onPhone = await ReceiveAsync(phone, 3);
        var onLaptop = await ReceiveAsync(laptop, 3);
        Assert.Equal(sent, onPhone.Select(e => e.MessageId));
        Assert.Equal(sent, onLaptop.Select(e => e.MessageId));
        Assert.Equal([1L, 2L, 3L], onPhone.Select(e => e.Seq));
        Assert.Equal([1L, 2L, 3L], onLaptop.Select(e => e.Seq));

        Assert.Equal(3, await phone.AckAsync(3));
        Assert.Empty(await phone.DrainAsync());
        Assert.Equal(sent, (await laptop.DrainAsync()).Select(e => e.MessageId));
        var receipts = await ReceiveAsync(alice, 3, e => e.Kind == "delivered");
        Assert.Equal(3, await laptop.AckAsync(3));
        Assert.Empty(await laptop.DrainAsync());

        // The laptop's acks owe nothing: the phone acknowledged first. A marker message proves no receipt is queued behind.
        var marker = await alice.SendAsync(phone.UserId, "marker");
        await phone.ReceiveAsync(e => e.MessageId == marker.MessageId);
        await phone.AckAsync((await phone.DrainAsync())[^1].Seq);
        await alice.ReceiveAsync(e => e.Kind == "delivered" && e.MessageId == marker.MessageId);
        var aliceInbox = await alice.DrainAsync();
        Assert.Equal(sent.Order(), receipts.Select(r => r.MessageId).Order());
        Assert.Equal(4, aliceInbox.Count(e => e.Kind == "delivered"));
        Assert.Equal(4, aliceInbox.Where(e => e.Kind == "delivered").Select(e => e.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task A_message_sent_on_one_device_is_copied_to_the_senders_other_devices()
    {
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));
        await using var phone = await factory.ConnectAsync(Ids.User("alice"));
        await using var laptop = await factory.ConnectNewDeviceAsync(phone.UserId);

        var sent = await phone.SendAsync(bob.UserId, "from my phone");
        var copy = await laptop.ReceiveAsync();
        await bob.ReceiveAsync(e => e.MessageId == sent.MessageId);

        Assert.Equal((sent.MessageId, "message", phone.UserId, bob.UserId, true, "from my phone"), (copy.MessageId, copy.Kind, copy.From, copy.To, copy.Copy, copy.Payload));
        Assert.DoesNotContain(await phone.DrainAsync(), e => e.MessageId == sent.MessageId);
        Assert.Equal(1, await laptop.AckAsync(copy.Seq)); // a copy is acknowledged like anything else and owes no receipt
        Assert.DoesNotContain(await phone.DrainAsync(), e => e.Kind == "delivered");
        Assert.DoesNotContain(await bob.DrainAsync(), e => e.Kind == "delivered");
    }

    [Fact]
    public async Task A_read_on_one_device_sends_one_read_receipt_and_is_announced_to_the_other_devices()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var phone = await factory.ConnectAsync(Ids.User("bob"));
        await using var laptop = await factory.ConnectNewDeviceAsync(phone.UserId);
        var sent = await alice.SendAsync(phone.UserId, "read me");
        await phone.ReceiveAsync();
        await laptop.ReceiveAsync();

        var marked = await phone.MarkReadAsync(sent.MessageId);
        var readCopy = await laptop.ReceiveAsync(e => e.Kind == "read");
        var markedAgain = await laptop.MarkReadAsync(sent.MessageId);
        var receipt = await alice.ReceiveAsync(e => e.Kind == "read");

        Assert.Equal((1, 0), (marked, markedAgain));
        Assert.Equal((sent.MessageId, phone.UserId, alice.UserId, true), (readCopy.MessageId, readCopy.From, readCopy.To, readCopy.Copy));
        Assert.Equal((sent.MessageId, phone.UserId, false), (receipt.MessageId, receipt.From, receipt.Copy));
        Assert.Single(await alice.DrainAsync(), e => e.Kind == "read");
        Assert.DoesNotContain(await phone.DrainAsync(), e => e.Kind == "read");
    }

    [Fact]
    public async Task A_group_message_reaches_every_device_of_every_member_and_the_senders_other_devices()
    {
        var aliceId = Ids.User("alice");
        var bobId = Ids.User("bob");
        await factory.RegisterAsync(aliceId);
        await factory.RegisterAsync(bobId);
        using var admin = await GroupsClient.ForAsync(factory, aliceId);
        var groupId = await admin.CreateAsync("friends", bobId);
        await using var alicePhone = await factory.ConnectAsync(aliceId, register: false);
        await using var aliceLaptop = await factory.ConnectNewDeviceAsync(aliceId);
        await using var bobPhone = await factory.ConnectAsync(bobId, register: false);
        await using var bobTablet = await factory.ConnectNewDeviceAsync(bobId, "tablet");

        var sent = await alicePhone.Connection.InvokeAsync<Chat.Hubs.Contracts.SendMessageResponse>(
            "SendMessage", new Chat.Hubs.Contracts.SendMessageRequest { ClientMessageId = "g1", GroupId = groupId, Payload = "hi all" }).OrTimeout();

        var onBobPhone = await bobPhone.ReceiveAsync(e => e.MessageId == sent.MessageId);
        var onBobTablet = await bobTablet.ReceiveAsync(e => e.MessageId == sent.MessageId);
        var copy = await aliceLaptop.ReceiveAsync(e => e.MessageId == sent.MessageId);
        Assert.Equal((groupId, false), (onBobPhone.GroupId, onBobPhone.Copy));
        Assert.Equal((groupId, false), (onBobTablet.GroupId, onBobTablet.Copy));
        Assert.Equal((groupId, aliceId, true), (copy.GroupId, copy.From, copy.Copy));
        Assert.DoesNotContain(await alicePhone.DrainAsync(), e => e.MessageId == sent.MessageId);
    }

    private static async Task<List<Chat.Hubs.Contracts.EnvelopeDto>> ReceiveAsync(ChatClient client, int count, Func<Chat.Hubs.Contracts.EnvelopeDto, bool>? match = null)
    {
        var received = new List<Chat.Hubs.Contracts.EnvelopeDto>();
        while (received.Count < count)
        {
            received.Add(await client.ReceiveAsync(match));
        }

        return received;
    }
}

public sealed class PostgresMultiDeviceDeliveryTests(ApiFactory factory) : MultiDeviceDeliveryTests(factory), IClassFixture<ApiFactory>;

public sealed class EmbeddedMultiDeviceDeliveryTests(EmbeddedApiFactory factory) : MultiDeviceDeliveryTests(factory), IClassFixture<EmbeddedApiFactory>;
