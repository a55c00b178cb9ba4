using Chat.Domain.Messaging;
using Chat.Infrastructure.Postgres;
using Chat.IntegrationTests.Infrastructure;
using Npgsql;

namespace Chat.IntegrationTests.Stores;

/// <summary>
/// The batched hot path (<see cref="IPipelinedMailboxTransaction"/>), in both of its shapes, keeps the contract of
/// the one-by-one operations: contiguous seqs in queue order, idempotent sends, unknown recipients, acks that queue
/// delivered receipts, receipts stored once however often they are moved.
/// </summary>
public abstract class PipelinedBatchTests : IAsyncLifetime
{
    public sealed class SetBased : PipelinedBatchTests
    {
        protected override PostgresBatchShape Shape => PostgresBatchShape.SetBased;
    }

    public sealed class SingleShard : PipelinedBatchTests
    {
        protected override PostgresBatchShape Shape => PostgresBatchShape.SingleShard;

        [Fact]
        public async Task An_ack_stores_the_receipts_of_senders_its_worker_holds_and_queues_the_others()
        {
            var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());
            var sent = await ApplyAsync(new DirectBatch([Send(alice, bob, "m1", "i1"), Send(carol, bob, "m2", "i2"), Send(alice, bob, "m3", "i3")], [], []));
            var ids = sent.Sends.Select(s => s.MessageId).ToList();

            // Alice's key runs on the acking worker, Carol's does not; a send to Alice shares the batch.
            var outcome = await ApplyAsync(new DirectBatch(
                [Send(carol, alice, "to alice", "i4")], [new AckOperation(bob, 1, 3, T0, T0.AddDays(30))], [], key => key == alice));

            var ack = Assert.Single(outcome.Acks);
            Assert.Equal(3, ack.Removed);
            Assert.Equal(ids[1], Assert.Single(ack.Receipts).MessageId);
            Assert.Equal(carol, ack.Receipts[0].SenderId);
            Assert.All(ack.Stored, e => Assert.Equal((alice, 1, EnvelopeKind.Delivered, bob), (e.UserId, e.DeviceId, e.Envelope.Kind, e.Envelope.From)));
            Assert.Equal(new[] { ids[0], ids[2] }.Order(), ack.Stored.Select(e => e.Envelope.MessageId).Order());
            var alices = (await _store.FetchPendingAsync(alice, 1, 0, 10, T0, default)).Envelopes;
            Assert.Equal([1L, 2L, 3L], alices.Select(e => e.Seq));
            Assert.Equal(ack.Stored.Select(e => e.Envelope.Seq).Order(), alices.Where(e => e.Kind == EnvelopeKind.Delivered).Select(e => e.Seq));
            var queued = Assert.Single(await _store.GetStaleReceiptsAsync(T0.AddMinutes(1), T0.AddMinutes(1), 100, default));
            Assert.Equal((carol, ids[1]), (queued.SenderId, queued.MessageId));
        }
    }

    private static readonly DateTimeOffset T0 = new(2026, 4, 1, 8, 0, 0, TimeSpan.Zero);

    protected abstract PostgresBatchShape Shape { get; }

    private NpgsqlDataSource _dataSource = null!;
    private PostgresMailboxStore _store = null!;
    private PostgresAccountStore _accounts = null!;

    public async Task InitializeAsync()
    {
        _dataSource = await MigratedStores.PostgresAsync("pipelined");
        _store = new PostgresMailboxStore(_dataSource, Shape);
        _accounts = new PostgresAccountStore(_dataSource);
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    [Fact]
    public async Task Sends_get_contiguous_seqs_in_queue_order_with_duplicates_and_unknown_recipients_answered()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());
        var earlier = Send(alice, bob, "earlier", "c-0");
        await ApplyAsync(new DirectBatch([earlier], [], []));

        var outcome = await ApplyAsync(new DirectBatch(
            [Send(alice, bob, "b1", "c-1"), Send(carol, alice, "a1", "c-2"), Send(carol, bob, "b2", "c-3"), Send(alice, "nobody-here", "x", "c-4"), Send(alice, bob, "again", "c-0"), Send(alice, bob, "b3", "c-5")],
            [],
            []));

        Assert.Equal(
            [SendStatus.Stored, SendStatus.Stored, SendStatus.Stored, SendStatus.UnknownRecipient, SendStatus.Duplicate, SendStatus.Stored],
            outcome.Sends.Select(s => s.Status));
        Assert.Equal(earlier.MessageId, outcome.Sends[4].MessageId);
        Assert.Equal([2L, 3L, 4L], new[] { 0, 2, 5 }.Select(i => outcome.Sends[i].Stored.Single().Envelope.Seq));
        var bobs = (await _store.FetchPendingAsync(bob, 1, 0, 10, T0, default)).Envelopes;
        Assert.Equal(["earlier", "b1", "b2", "b3"], bobs.Select(e => e.Payload));
        Assert.Equal([1L, 2L, 3L, 4L], bobs.Select(e => e.Seq));
        Assert.Equal(1, Assert.Single((await _store.FetchPendingAsync(alice, 1, 0, 10, T0, default)).Envelopes).Seq);
    }

    [Fact]
    public async Task Acks_queue_receipts_and_moves_store_them_once_beside_new_messages_for_the_same_sender()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());
        var sent = await ApplyAsync(new DirectBatch([Send(alice, bob, "m1", "k1"), Send(carol, bob, "m2", "k2"), Send(alice, bob, "m3", "k3")], [], []));
        var ids = sent.Sends.Select(s => s.MessageId).ToList();

        var acked = await ApplyAsync(new DirectBatch([], [new AckOperation(bob, 1, 3, T0, T0.AddDays(30))], []));
        var ack = Assert.Single(acked.Acks);
        var moves = ack.Receipts.GroupBy(r => r.SenderId)
            .Select(g => new DeliverReceiptsOperation(g.Key, bob, EnvelopeKind.Delivered, g.Select(r => r.MessageId).ToList(), T0, T0.AddDays(30)))
            .ToList();
        var moved = await ApplyAsync(new DirectBatch([Send(carol, alice, "hello alice", "k4")], [], moves));
        var again = await ApplyAsync(new DirectBatch([], [], moves));

        Assert.Equal(3, ack.Removed);
        Assert.Equal(3, ack.Receipts.Count);
        Assert.Empty((await _store.FetchPendingAsync(bob, 1, 0, 10, T0, default)).Envelopes);
        var alices = (await _store.FetchPendingAsync(alice, 1, 0, 10, T0, default)).Envelopes;
        Assert.Equal([1L, 2L, 3L], alices.Select(e => e.Seq));
        // Receipts of one move come in no particular order; which ones arrived is the contract.
        Assert.Equal(new[] { ids[0], ids[2] }.Order(), alices.Where(e => e.Kind == EnvelopeKind.Delivered).Select(e => e.MessageId).Order());
        Assert.All(alices.Where(e => e.Kind == EnvelopeKind.Delivered), e => Assert.Equal(bob, e.From));
        Assert.Equal(ids[1], Assert.Single((await _store.FetchPendingAsync(carol, 1, 0, 10, T0, default)).Envelopes).MessageId);
        Assert.Equal(3, moved.Receipts.Sum(r => r.Count));
        Assert.All(again.Receipts, r => Assert.Empty(r));
        Assert.Empty(await _store.GetStaleReceiptsAsync(T0.AddMinutes(1), T0.AddMinutes(1), 100, default));
    }

    [Fact]
    public async Task Moves_from_several_readers_to_one_sender_in_a_batch_each_get_their_own_receipts_in_contiguous_seqs()
    {
        var (alice, bob, carol, dave) = (await UserAsync(), await UserAsync(), await UserAsync(), await UserAsync());
        var sent = await ApplyAsync(new DirectBatch([Send(alice, bob, "b1", "r1"), Send(alice, carol, "c1", "r2"), Send(alice, bob, "b2", "r3"), Send(alice, dave, "d1", "r4")], [], []));
        var ids = sent.Sends.Select(s => s.MessageId).ToList();
        var acked = await ApplyAsync(new DirectBatch([], [new AckOperation(bob, 1, 2, T0, T0.AddDays(30)), new AckOperation(carol, 1, 1, T0, T0.AddDays(30)), new AckOperation(dave, 1, 1, T0, T0.AddDays(30))], []));
        var moves = acked.Acks.Select((a, i) => new DeliverReceiptsOperation(alice, new[] { bob, carol, dave }[i], EnvelopeKind.Delivered, a.Receipts.Select(r => r.MessageId).ToList(), T0, T0.AddDays(30))).ToList();

        // Bob's and Carol's moves, with a send to Alice between them in queue order and Dave's move after it.
        var moved = await ApplyAsync(new DirectBatch([Send(carol, alice, "to alice", "r5")], [], moves));

        Assert.Equal([(bob, 2), (carol, 1), (dave, 1)], moved.Receipts.Select((r, i) => (moves[i].ReaderId, r.Count)));
        for (var i = 0; i < moves.Count; i++)
        {
            Assert.All(moved.Receipts[i], e => Assert.Equal((alice, moves[i].ReaderId, EnvelopeKind.Delivered), (e.UserId, e.Envelope.From, e.Envelope.Kind)));
            Assert.Equal(moves[i].MessageIds.Order(), moved.Receipts[i].Select(e => e.Envelope.MessageId).Order());
        }

        var alices = (await _store.FetchPendingAsync(alice, 1, 0, 10, T0, default)).Envelopes;
        Assert.Equal([1L, 2L, 3L, 4L, 5L], alices.Select(e => e.Seq));
        Assert.Equal(moved.Receipts.SelectMany(r => r).Select(e => e.Envelope.Seq).Order(), alices.Where(e => e.Kind == EnvelopeKind.Delivered).Select(e => e.Seq));
        Assert.Equal(ids.Order(), alices.Where(e => e.Kind == EnvelopeKind.Delivered).Select(e => e.MessageId).Order());
    }

    [Fact]
    public async Task An_ack_of_expired_envelopes_removes_them_without_receipts()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        await ApplyAsync(new DirectBatch([Send(alice, bob, "short-lived", "e1", TimeSpan.FromSeconds(5))], [], []));

        var acked = await ApplyAsync(new DirectBatch([], [new AckOperation(bob, 1, 1, T0.AddMinutes(1), T0.AddDays(30))], []));

        Assert.Equal(1, acked.Acks[0].Removed);
        Assert.Empty(acked.Acks[0].Receipts);
    }

    [Fact]
    public async Task A_repeated_client_message_id_inside_one_batch_is_stored_once()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        var first = Send(alice, bob, "once", "same");

        var outcome = await ApplyAsync(new DirectBatch([first, Send(alice, bob, "twice", "same"), Send(alice, bob, "next", "other")], [], []));

        Assert.Equal([SendStatus.Stored, SendStatus.Duplicate, SendStatus.Stored], outcome.Sends.Select(s => s.Status));
        Assert.Equal(first.MessageId, outcome.Sends[1].MessageId);
        var bobs = (await _store.FetchPendingAsync(bob, 1, 0, 10, T0, default)).Envelopes;
        Assert.Equal(["once", "next"], bobs.Select(e => e.Payload));
        Assert.Equal([1L, 2L], bobs.Select(e => e.Seq));
    }

    [Fact]
    public async Task Two_acks_of_one_mailbox_in_one_batch_each_count_what_they_removed()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());
        await ApplyAsync(new DirectBatch([Send(alice, bob, "1", "a"), Send(alice, bob, "2", "b"), Send(alice, bob, "3", "c"), Send(alice, carol, "c1", "d")], [], []));

        var outcome = await ApplyAsync(new DirectBatch(
            [],
            [new AckOperation(bob, 1, 2, T0, T0.AddDays(30)), new AckOperation(carol, 1, 1, T0, T0.AddDays(30)), new AckOperation(bob, 1, 1, T0, T0.AddDays(30)), new AckOperation(bob, 1, 3, T0, T0.AddDays(30))],
            []));

        Assert.Equal([2, 1, 0, 1], outcome.Acks.Select(a => a.Removed));
        Assert.Equal([2, 1, 0, 1], outcome.Acks.Select(a => a.Receipts.Count));
        Assert.Equal(4, outcome.Acks.SelectMany(a => a.Receipts).Select(r => r.MessageId).Distinct().Count());
        Assert.Empty((await _store.FetchPendingAsync(bob, 1, 0, 10, T0, default)).Envelopes);
        Assert.Equal(4, (await _store.GetStaleReceiptsAsync(T0.AddMinutes(1), T0.AddMinutes(1), 100, default)).Count);
    }

    [Fact]
    public async Task Receipts_for_several_senders_and_sends_to_them_share_one_batch_with_contiguous_seqs()
    {
        var (alice, bob, carol, dave) = (await UserAsync(), await UserAsync(), await UserAsync(), await UserAsync());
        var sent = await ApplyAsync(new DirectBatch([Send(alice, dave, "from alice", "x1"), Send(bob, dave, "from bob", "x2"), Send(alice, dave, "again alice", "x3")], [], []));
        var acked = await ApplyAsync(new DirectBatch([], [new AckOperation(dave, 1, 3, T0, T0.AddDays(30))], []));
        var moves = acked.Acks[0].Receipts.GroupBy(r => r.SenderId)
            .Select(g => new DeliverReceiptsOperation(g.Key, dave, EnvelopeKind.Delivered, g.Select(r => r.MessageId).ToList(), T0, T0.AddDays(30)))
            .ToList();

        var moved = await ApplyAsync(new DirectBatch([Send(carol, alice, "to alice", "y1"), Send(carol, bob, "to bob", "y2")], [], moves));

        foreach (var (user, count) in new[] { (alice, 3), (bob, 2) })
        {
            var pending = (await _store.FetchPendingAsync(user, 1, 0, 10, T0, default)).Envelopes;
            Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), pending.Select(e => e.Seq));
            Assert.Equal(EnvelopeKind.Message, pending[0].Kind); // the send comes first in the batch's order
        }

        Assert.Equal(3, moved.Receipts.Sum(r => r.Count));
        Assert.All(moved.Receipts.SelectMany(r => r), r => Assert.Equal(EnvelopeKind.Delivered, r.Envelope.Kind));
        Assert.Equal(sent.Sends.Select(s => s.MessageId).Order(), moved.Receipts.SelectMany(r => r).Select(r => r.Envelope.MessageId).Order());
    }

    [Fact]
    public async Task Every_device_gets_its_own_seqs_and_the_first_ack_of_a_batch_alone_owes_the_receipt()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        var laptop = (await new PostgresDeviceStore(_dataSource).LinkAsync(bob, "laptop", 4, T0, default))!.DeviceId;
        var sent = await ApplyAsync(new DirectBatch([Send(alice, bob, "one", "d1"), Send(alice, bob, "two", "d2")], [], []));

        var acked = await ApplyAsync(new DirectBatch([], [new AckOperation(bob, laptop, 2, T0, T0.AddDays(30)), new AckOperation(bob, 1, 2, T0, T0.AddDays(30))], []));

        Assert.All(sent.Sends, s => Assert.Equal([1, laptop], s.Stored.Select(e => e.DeviceId).Order()));
        Assert.Equal([1L, 2L], sent.Sends.Select(s => s.Stored.Single(e => e.DeviceId == laptop).Envelope.Seq));
        Assert.Equal([2, 2], acked.Acks.Select(a => a.Removed));
        Assert.Equal(sent.Sends.Select(s => s.MessageId).Order(), acked.Acks[0].Receipts.Select(r => r.MessageId).Order());
        Assert.Empty(acked.Acks[1].Receipts);
    }

    [Fact]
    public async Task A_recipient_with_two_devices_gets_one_row_per_device_and_the_first_ack_owes_the_receipt()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        var laptop = (await new PostgresDeviceStore(_dataSource).LinkAsync(bob, "laptop", 4, T0, default))!.DeviceId;

        var sent = await ApplyAsync(new DirectBatch([Send(alice, bob, "b1", "d-1"), Send(alice, bob, "b2", "d-2")], [], []));
        var phoneAck = await ApplyAsync(new DirectBatch([], [new AckOperation(bob, 1, 2, T0, T0.AddDays(30))], []));
        var laptopAck = await ApplyAsync(new DirectBatch([], [new AckOperation(bob, laptop, 2, T0, T0.AddDays(30))], []));

        Assert.All(sent.Sends, s => Assert.Equal([1, laptop], s.Stored.Select(e => e.DeviceId).Order()));
        Assert.Equal([(1, 1L), (laptop, 1L), (1, 2L), (laptop, 2L)], sent.Sends.SelectMany(s => s.Stored).Select(e => (e.DeviceId, e.Envelope.Seq)));
        Assert.Equal(2, phoneAck.Acks[0].Receipts.Count);
        Assert.Equal(2, laptopAck.Acks[0].Removed);
        Assert.Empty(laptopAck.Acks[0].Receipts);
    }

    private async Task<DirectBatchOutcome> ApplyAsync(DirectBatch batch)
    {
        await using var transaction = (IPipelinedMailboxTransaction)await _store.BeginAsync(default);
        var outcome = await transaction.ApplyDirectAsync(batch, default);
        await transaction.CommitAsync(default);
        return outcome;
    }

    private static SendCommand Send(string from, string to, string payload, string clientMessageId, TimeSpan? ttl = null) =>
        new(from, clientMessageId, to, payload, Guid.CreateVersion7(T0), T0, T0 + (ttl ?? TimeSpan.FromDays(1)), T0.AddDays(30));

    private async Task<string> UserAsync()
    {
        var id = "p-" + Guid.NewGuid().ToString("N")[..12];
        Assert.True(await _accounts.CreateAsync(id, "hash", T0, default));
        return id;
    }
}
