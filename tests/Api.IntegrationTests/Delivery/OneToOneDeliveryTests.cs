using Chat.Domain.Messaging;
using Chat.IntegrationTests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chat.IntegrationTests.Delivery;

public sealed class OneToOneDeliveryTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Online_recipient_receives_the_message_in_real_time()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));

        var sent = await alice.SendAsync(bob.UserId, "hello bob");
        var envelope = await bob.ReceiveAsync();

        Assert.Equal(sent.MessageId, envelope.MessageId);
        Assert.Equal("message", envelope.Kind);
        Assert.Equal(alice.UserId, envelope.From);
        Assert.Equal("hello bob", envelope.Payload);
        Assert.Equal(1, envelope.Seq);
        Assert.Equal(sent.ServerTimestamp, envelope.SentAt);
    }

    [Fact]
    public async Task Offline_recipient_drains_its_messages_in_order_on_connect()
    {
        var bobId = Ids.User("bob");
        await factory.RegisterAsync(bobId);
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        for (var i = 1; i <= 7; i++)
        {
            await alice.SendAsync(bobId, $"m{i}");
        }

        await using var bob = await factory.ConnectAsync(bobId, register: false);
        var drained = await bob.DrainAsync(pageSize: 3);

        Assert.Equal(Enumerable.Range(1, 7).Select(i => $"m{i}"), drained.Select(e => e.Payload));
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), drained.Select(e => e.Seq));
    }

    [Fact]
    public async Task Ack_deletes_the_rows_from_the_database()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));
        for (var i = 0; i < 5; i++)
        {
            await alice.SendAsync(bob.UserId, $"m{i}");
        }

        var removed = await bob.AckAsync(3);

        Assert.Equal(3, removed);
        Assert.Equal([4L, 5L], await SeqsInDatabaseAsync(bob.UserId));
        Assert.Equal([4L, 5L], (await bob.DrainAsync()).Select(e => e.Seq));
        Assert.Equal(2, await bob.AckAsync(5));
        Assert.Empty(await SeqsInDatabaseAsync(bob.UserId));
    }

    [Fact]
    public async Task Retried_send_with_the_same_client_message_id_is_stored_once()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        var bobId = Ids.User("bob");
        await factory.RegisterAsync(bobId);

        var first = await alice.SendAsync(bobId, "once", clientMessageId: "c-1");
        var retry = await alice.SendAsync(bobId, "once", clientMessageId: "c-1");
        var other = await alice.SendAsync(bobId, "twice", clientMessageId: "c-2");

        Assert.Equal(first.MessageId, retry.MessageId);
        Assert.Equal(first.ServerTimestamp, retry.ServerTimestamp);
        Assert.NotEqual(first.MessageId, other.MessageId);
        Assert.Equal([1L, 2L], await SeqsInDatabaseAsync(bobId));
    }

    [Fact]
    public async Task Ack_stores_a_delivered_receipt_that_reaches_the_online_sender()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));
        var sent = await alice.SendAsync(bob.UserId, "hi");
        await bob.ReceiveAsync();

        await bob.AckAsync(1);
        var receipt = await alice.ReceiveAsync(e => e.Kind == "delivered");

        Assert.Equal(sent.MessageId, receipt.MessageId);
        Assert.Equal(bob.UserId, receipt.From);
        Assert.Null(receipt.Payload);
        // The receipt is itself pending until the sender acks it.
        Assert.Single(await SeqsInDatabaseAsync(alice.UserId));
        await alice.AckAsync(receipt.Seq);
        Assert.Empty(await SeqsInDatabaseAsync(alice.UserId));
    }

    [Fact]
    public async Task Offline_sender_finds_the_delivered_receipt_when_it_reconnects()
    {
        var aliceId = Ids.User("alice");
        Guid messageId;
        await using (var alice = await factory.ConnectAsync(aliceId))
        {
            messageId = (await alice.SendAsync(await RegisteredAsync("bob"), "hi")).MessageId;
        }

        var bobId = await RecipientOfAsync(messageId);
        await using (var bob = await factory.ConnectAsync(bobId, register: false))
        {
            Assert.Equal(1, await bob.AckAsync((await bob.DrainAsync()).Single().Seq));
        }

        await using var aliceAgain = await factory.ConnectAsync(aliceId, register: false);
        var pending = await aliceAgain.DrainAsync();

        var receipt = Assert.Single(pending);
        Assert.Equal("delivered", receipt.Kind);
        Assert.Equal(messageId, receipt.MessageId);
        Assert.Equal(bobId, receipt.From);
    }

    [Fact]
    public async Task A_user_can_neither_fetch_nor_ack_another_users_envelopes()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));
        await using var mallory = await factory.ConnectAsync(Ids.User("mallory"));
        await alice.SendAsync(bob.UserId, "for bob only");

        var seen = await mallory.DrainAsync();
        var removed = await mallory.AckAsync(long.MaxValue);

        Assert.Empty(seen);
        Assert.Equal(0, removed);
        Assert.Equal("for bob only", Assert.Single(await bob.DrainAsync()).Payload);
    }

    [Fact]
    public async Task Concurrent_sends_from_twenty_senders_get_contiguous_unique_seqs()
    {
        var bobId = Ids.User("bob");
        await factory.RegisterAsync(bobId);
        var senders = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => factory.ConnectAsync(Ids.User($"s{i}"))));

        await Task.WhenAll(senders.Select(async sender =>
        {
            await Task.WhenAll(Enumerable.Range(0, 50).Select(i => sender.SendAsync(bobId, $"{sender.UserId}:{i}")));
        })).OrTimeout(TimeSpan.FromSeconds(120));

        await using var bob = await factory.ConnectAsync(bobId, register: false);
        var drained = await bob.DrainAsync(pageSize: 500);
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), drained.Select(e => e.Seq));
        Assert.Equal(1000, drained.Select(e => e.Payload).Distinct().Count());
        foreach (var sender in senders)
        {
            await sender.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_receipt_left_in_the_outbox_is_delivered_by_the_sweeper()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));
        var sent = await alice.SendAsync(bob.UserId, "read me later");
        await using (var connection = new NpgsqlConnection(factory.ConnectionString))
        {
            // As if the node died between queuing the receipt and storing it in alice's mailbox.
            await connection.ExecuteAsync(
                """
                INSERT INTO receipt_outbox (user_id, message_id, kind, sender_id, group_id, created_at, expires_at)
                VALUES (@bob, @id, 2, @alice, NULL, now() - interval '5 minutes', now() + interval '1 day')
                """,
                new { bob = bob.UserId, alice = alice.UserId, id = sent.MessageId });
        }

        var found = await factory.Services.GetRequiredService<MailboxService>().RedeliverStaleReceiptsAsync(TimeSpan.FromSeconds(30), 1000, default);
        var receipt = await alice.ReceiveAsync(e => e.Kind == "read");

        Assert.True(found >= 1);
        Assert.Equal((sent.MessageId, bob.UserId), (receipt.MessageId, receipt.From));
        await using var check = new NpgsqlConnection(factory.ConnectionString);
        Assert.Equal(0, await check.ExecuteScalarAsync<long>("SELECT count(*) FROM receipt_outbox WHERE user_id = @bob", new { bob = bob.UserId }));
    }

    private async Task<string> RegisteredAsync(string name)
    {
        var id = Ids.User(name);
        await factory.RegisterAsync(id);
        return id;
    }

    private async Task<string> RecipientOfAsync(Guid messageId)
    {
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        return await connection.QuerySingleAsync<string>("SELECT user_id FROM envelopes WHERE message_id = @messageId", new { messageId });
    }

    private async Task<List<long>> SeqsInDatabaseAsync(string userId)
    {
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        return (await connection.QueryAsync<long>("SELECT seq FROM envelopes WHERE user_id = @userId ORDER BY seq", new { userId })).AsList();
    }
}
