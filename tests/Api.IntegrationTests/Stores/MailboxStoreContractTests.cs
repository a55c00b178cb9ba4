using Chat.Domain.Accounts;
using Chat.Domain.Groups;
using Chat.Domain.Messaging;

namespace Chat.IntegrationTests.Stores;

/// <summary>
/// The contract every mailbox store keeps. Runs against PostgreSQL and against the embedded SQLite store,
/// with explicit times so expiry is tested without waiting.
/// </summary>
public abstract class MailboxStoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected IMailboxStore Store { get; set; } = null!;

    protected IAccountStore Accounts { get; set; } = null!;

    protected IGroupStore Groups { get; set; } = null!;

    public abstract Task InitializeAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Append_assigns_contiguous_seqs_per_recipient_in_order()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());

        await SendAsync(alice, bob, "b1");
        await SendAsync(alice, carol, "c1");
        await SendAsync(carol, bob, "b2");

        var page = await Store.FetchPendingAsync(bob, 1, 0, 10, T0, default);
        Assert.Equal([1L, 2L], page.Envelopes.Select(e => e.Seq));
        Assert.Equal(["b1", "b2"], page.Envelopes.Select(e => e.Payload));
        Assert.Equal([alice, carol], page.Envelopes.Select(e => e.From));
        Assert.False(page.HasMore);
        Assert.Equal(1, Assert.Single((await Store.FetchPendingAsync(carol, 1, 0, 10, T0, default)).Envelopes).Seq);
    }

    [Fact]
    public async Task Fetch_pages_after_a_seq_and_reports_more()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        for (var i = 0; i < 5; i++)
        {
            await SendAsync(alice, bob, $"m{i}");
        }

        var first = await Store.FetchPendingAsync(bob, 1, 0, 2, T0, default);
        var last = await Store.FetchPendingAsync(bob, 1, 4, 2, T0, default);

        Assert.Equal([1L, 2L], first.Envelopes.Select(e => e.Seq));
        Assert.True(first.HasMore);
        Assert.Equal([5L], last.Envelopes.Select(e => e.Seq));
        Assert.False(last.HasMore);
    }

    [Fact]
    public async Task Duplicate_client_message_id_returns_the_first_result_and_stores_nothing()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());

        var first = await SendAsync(alice, bob, "x", clientMessageId: "same");
        var again = await SendAsync(alice, bob, "x", clientMessageId: "same", at: T0.AddMinutes(5));

        Assert.Equal(SendStatus.Stored, first.Status);
        Assert.Equal(SendStatus.Duplicate, again.Status);
        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Equal(first.ServerTimestamp, again.ServerTimestamp);
        Assert.Single((await Store.FetchPendingAsync(bob, 1, 0, 10, T0, default)).Envelopes);
    }

    [Fact]
    public async Task Unknown_recipient_is_reported_and_nothing_is_stored()
    {
        var alice = await UserAsync();

        var outcome = await SendAsync(alice, "nobody-" + Guid.NewGuid().ToString("N")[..8], "x");

        Assert.Equal(SendStatus.UnknownRecipient, outcome.Status);
    }

    [Fact]
    public async Task Ack_removes_up_to_seq_and_stores_delivered_receipts_for_each_sender()
    {
        var (alice, carol, bob) = (await UserAsync(), await UserAsync(), await UserAsync());
        var a1 = await SendAsync(alice, bob, "a1");
        var c1 = await SendAsync(carol, bob, "c1");
        await SendAsync(alice, bob, "a2");

        var ack = await AckAsync(bob, 2);

        Assert.Equal(2, ack.Removed);
        Assert.Equal([3L], (await Store.FetchPendingAsync(bob, 1, 0, 10, T0, default)).Envelopes.Select(e => e.Seq));
        var aliceReceipt = Assert.Single((await Store.FetchPendingAsync(alice, 1, 0, 10, T0, default)).Envelopes);
        Assert.Equal((EnvelopeKind.Delivered, a1.MessageId, bob), (aliceReceipt.Kind, aliceReceipt.MessageId, aliceReceipt.From));
        var carolReceipt = Assert.Single((await Store.FetchPendingAsync(carol, 1, 0, 10, T0, default)).Envelopes);
        Assert.Equal(c1.MessageId, carolReceipt.MessageId);
        Assert.Equal(2, ack.Receipts.Count);
        Assert.All(ack.Receipts, r => Assert.Equal((bob, EnvelopeKind.Delivered), (r.ReaderId, r.Kind)));
    }

    [Fact]
    public async Task Acking_a_receipt_stores_no_further_receipt()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        await SendAsync(alice, bob, "hi");
        await AckAsync(bob, 1);

        var ack = await AckAsync(alice, 1);

        Assert.Equal(1, ack.Removed);
        Assert.Empty(ack.Receipts);
        Assert.Empty((await Store.FetchPendingAsync(bob, 1, 0, 10, T0, default)).Envelopes);
    }

    [Fact]
    public async Task Ack_only_touches_the_callers_mailbox()
    {
        var (alice, bob, mallory) = (await UserAsync(), await UserAsync(), await UserAsync());
        await SendAsync(alice, bob, "private");

        var ack = await AckAsync(mallory, long.MaxValue);

        Assert.Equal(0, ack.Removed);
        Assert.Single((await Store.FetchPendingAsync(bob, 1, 0, 10, T0, default)).Envelopes);
    }

    [Fact]
    public async Task Expired_envelopes_are_hidden_and_then_swept_in_bounded_batches()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        for (var i = 0; i < 5; i++)
        {
            await SendAsync(alice, bob, $"short{i}", ttl: TimeSpan.FromMinutes(1));
        }

        await SendAsync(alice, bob, "long", ttl: TimeSpan.FromDays(1));
        var later = T0.AddMinutes(2);

        var visible = await Store.FetchPendingAsync(bob, 1, 0, 10, later, default);
        var firstSweep = await Store.SweepExpiredAsync(later, 2, default);
        var stats = await Store.GetStatsAsync(bob, later, default);

        Assert.Equal(["long"], visible.Envelopes.Select(e => e.Payload));
        Assert.InRange(firstSweep, 1, 4); // at most one batch of envelopes and one of dedup records
        int swept;
        while ((swept = await Store.SweepExpiredAsync(later, 2, default)) > 0)
        {
            Assert.InRange(swept, 1, 4);
        }

        Assert.Equal(1, (await Store.GetStatsAsync(bob, later, default)).PendingCount);
        Assert.Equal(1, stats.PendingCount);
        Assert.Equal(6, stats.LastSeq);
    }

    [Fact]
    public async Task Stats_report_pending_count_and_oldest_pending_time()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        await SendAsync(alice, bob, "1", at: T0);
        await SendAsync(alice, bob, "2", at: T0.AddSeconds(10));

        var stats = await Store.GetStatsAsync(bob, T0.AddSeconds(20), default);
        var missing = await Store.GetStatsAsync("nobody-" + Guid.NewGuid().ToString("N")[..8], T0, default);

        Assert.True(stats.Exists);
        Assert.Equal(2, stats.PendingCount);
        Assert.Equal(T0, stats.OldestPendingAt);
        Assert.False(missing.Exists);
    }

    [Fact]
    public async Task Rolled_back_batch_stores_nothing()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());

        await using (var transaction = await Store.BeginAsync(default))
        {
            await transaction.AppendMessageAsync(Command(alice, bob, "lost", "c", T0, TimeSpan.FromDays(1)), default);
        }

        Assert.Empty((await Store.FetchPendingAsync(bob, 1, 0, 10, T0, default)).Envelopes);
        Assert.Equal(SendStatus.Stored, (await SendAsync(alice, bob, "kept", clientMessageId: "c")).Status);
    }

    [Fact]
    public async Task Fan_out_gives_each_recipient_its_own_next_seq_and_records_what_they_received()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());
        await SendAsync(alice, carol, "carol already has one");
        var draft = new EnvelopeDraft(Guid.CreateVersion7(T0), EnvelopeKind.Message, alice, "g1", "to all", T0, T0.AddDays(1), T0.AddDays(30));

        IReadOnlyList<AddressedEnvelope> stored;
        IReadOnlyList<ReceivedMessage> bobReceived, aliceReceived;
        await using (var transaction = await Store.BeginAsync(default))
        {
            stored = await transaction.FanOutAsync([bob, carol, "nobody-" + Guid.NewGuid().ToString("N")[..8]], draft, default);
            bobReceived = await transaction.FindReceivedAsync(bob, [draft.MessageId, Guid.NewGuid()], default);
            aliceReceived = await transaction.FindReceivedAsync(alice, [draft.MessageId], default);
            await transaction.CommitAsync(default);
        }

        Assert.Equal([(bob, 1L), (carol, 2L)], stored.Select(s => (s.UserId, s.Envelope.Seq)).OrderBy(s => s.Item2));
        var carolCopy = (await Store.FetchPendingAsync(carol, 1, 1, 10, T0, default)).Envelopes.Single();
        Assert.Equal((draft.MessageId, "g1", "to all"), (carolCopy.MessageId, carolCopy.GroupId, carolCopy.Payload));
        Assert.Equal((draft.MessageId, alice, "g1"), (bobReceived.Single().MessageId, bobReceived.Single().SenderId, bobReceived.Single().GroupId));
        Assert.Empty(aliceReceived);
    }

    [Fact]
    public async Task Claim_is_idempotent_per_key()
    {
        var alice = await UserAsync();
        var first = Guid.NewGuid();

        await using var transaction = await Store.BeginAsync(default);
        var claimed = await transaction.ClaimAsync(alice, alice, "k", first, T0, T0.AddDays(1), default);
        var again = await transaction.ClaimAsync(alice, alice, "k", Guid.NewGuid(), T0.AddMinutes(1), T0.AddDays(1), default);

        Assert.Null(claimed);
        Assert.Equal((first, T0), again);
    }

    [Fact]
    public async Task Group_membership_is_kept_by_group_and_by_member()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        var groupId = "g" + Guid.NewGuid().ToString("N");

        await using (var transaction = await Store.BeginAsync(default))
        {
            await transaction.CreateGroupAsync(groupId, "team", alice, T0, default);
            await transaction.AddMembersAsync(groupId, [alice], GroupRole.Admin, T0, default);
            await transaction.AddMembersAsync(groupId, [bob], GroupRole.Member, T0.AddSeconds(1), default);
            Assert.Equal([bob], await transaction.FindUsersAsync([bob, "nobody-x1"], default));
            await transaction.CommitAsync(default);
        }

        var group = await Groups.GetAsync(groupId, default);
        Assert.Equal([(alice, GroupRole.Admin), (bob, GroupRole.Member)], group!.Members.Select(m => (m.UserId, m.Role)));
        Assert.Equal((groupId, GroupRole.Member), (await Groups.GetGroupsOfAsync(bob, default)).Select(g => (g.GroupId, g.Role)).Single());

        await using (var transaction = await Store.BeginAsync(default))
        {
            await transaction.SetRoleAsync(groupId, bob, GroupRole.Admin, default);
            await transaction.RemoveMemberAsync(groupId, alice, default);
            await transaction.CommitAsync(default);
        }

        Assert.Equal([(bob, GroupRole.Admin)], (await Groups.GetAsync(groupId, default))!.Members.Select(m => (m.UserId, m.Role)));
        Assert.Empty(await Groups.GetGroupsOfAsync(alice, default));
        Assert.Null(await Groups.GetAsync("missing", default));
    }

    [Fact]
    public async Task Queued_receipts_are_stored_once_however_often_they_are_delivered_and_stale_ones_are_found()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        var sent = await SendAsync(alice, bob, "hi");
        AckOutcome ack;
        await using (var transaction = await Store.BeginAsync(default))
        {
            ack = await transaction.AckAsync(bob, 1, 1, T0, T0.AddDays(30), default);
            await transaction.CommitAsync(default);
        }

        var stale = await Store.GetStaleReceiptsAsync(T0.AddMinutes(1), T0.AddMinutes(1), 100, default);
        var first = await DeliverAsync(alice, bob, EnvelopeKind.Delivered, [sent.MessageId]);
        var second = await DeliverAsync(alice, bob, EnvelopeKind.Delivered, [sent.MessageId]);

        var queued = Assert.Single(ack.Receipts);
        Assert.Equal((bob, alice, sent.MessageId, EnvelopeKind.Delivered), (queued.ReaderId, queued.SenderId, queued.MessageId, queued.Kind));
        Assert.Contains(stale, r => r.ReaderId == bob && r.MessageId == sent.MessageId);
        Assert.Equal((alice, 1L), (first.Single().UserId, first.Single().Envelope.Seq));
        Assert.Empty(second);
        Assert.Single((await Store.FetchPendingAsync(alice, 1, 0, 10, T0, default)).Envelopes);
        Assert.DoesNotContain(await Store.GetStaleReceiptsAsync(T0.AddMinutes(1), T0.AddMinutes(1), 100, default), r => r.MessageId == sent.MessageId);
    }

    private async Task<string> UserAsync()
    {
        var id = "u-" + Guid.NewGuid().ToString("N")[..12];
        Assert.True(await Accounts.CreateAsync(id, "hash", T0, default));
        return id;
    }

    private static SendCommand Command(string from, string to, string payload, string clientMessageId, DateTimeOffset at, TimeSpan ttl) =>
        new(from, clientMessageId, to, payload, Guid.CreateVersion7(at), at, at + ttl, at + TimeSpan.FromDays(30));

    private async Task<SendOutcome> SendAsync(string from, string to, string payload, string? clientMessageId = null, DateTimeOffset? at = null, TimeSpan? ttl = null)
    {
        await using var transaction = await Store.BeginAsync(default);
        var outcome = await transaction.AppendMessageAsync(
            Command(from, to, payload, clientMessageId ?? Guid.NewGuid().ToString("N"), at ?? T0, ttl ?? TimeSpan.FromDays(1)), default);
        await transaction.CommitAsync(default);
        return outcome;
    }

    /// <summary>Acks, then moves the queued receipts into the senders' mailboxes as MailboxService does.</summary>
    private async Task<AckOutcome> AckAsync(string userId, long upToSeq)
    {
        AckOutcome outcome;
        await using (var transaction = await Store.BeginAsync(default))
        {
            outcome = await transaction.AckAsync(userId, 1, upToSeq, T0, T0.AddDays(30), default);
            await transaction.CommitAsync(default);
        }

        foreach (var bySender in outcome.Receipts.GroupBy(r => r.SenderId))
        {
            await DeliverAsync(bySender.Key, userId, EnvelopeKind.Delivered, bySender.Select(r => r.MessageId).ToList());
        }

        return outcome;
    }

    private async Task<IReadOnlyList<AddressedEnvelope>> DeliverAsync(string senderId, string readerId, EnvelopeKind kind, IReadOnlyList<Guid> messageIds)
    {
        await using var transaction = await Store.BeginAsync(default);
        var stored = await transaction.DeliverReceiptsAsync(senderId, readerId, kind, messageIds, T0, T0.AddDays(30), default);
        await transaction.CommitAsync(default);
        return stored;
    }
}
