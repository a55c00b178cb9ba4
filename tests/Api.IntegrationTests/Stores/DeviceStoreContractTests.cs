using Chat.Domain.Accounts;
using Chat.Domain.Devices;
using Chat.Domain.Messaging;
using Chat.Infrastructure.Postgres;
using Chat.Infrastructure.Sqlite;
using Chat.IntegrationTests.Infrastructure;
using Npgsql;

namespace Chat.IntegrationTests.Stores;

/// <summary>
/// The device dimension of the store contract, on PostgreSQL and SQLite: one mailbox per device, each with its own
/// seqs and acks, one delivered receipt per message, copies, unlinking and the link limit.
/// </summary>
public abstract class DeviceStoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);

    protected IMailboxStore Store { get; set; } = null!;

    protected IAccountStore Accounts { get; set; } = null!;

    protected IDeviceStore Devices { get; set; } = null!;

    public abstract Task InitializeAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_new_account_has_one_primary_device_and_linked_devices_get_ids_never_reused()
    {
        var bob = await UserAsync();

        var first = await Devices.LinkAsync(bob, "laptop", 4, T0, default);
        Assert.True(await Devices.UnlinkAsync(bob, first!.DeviceId, default));
        var second = await Devices.LinkAsync(bob, "tablet", 4, T0, default);
        var listed = await Devices.ListAsync(bob, default);

        Assert.Equal(2, first.DeviceId);
        Assert.Equal(3, second!.DeviceId);
        Assert.Equal([(1, "primary"), (3, "tablet")], listed.Select(d => (d.DeviceId, d.Name)));
        var ids = await Devices.DeviceIdsOfAsync([bob, "nobody-at-all"], default);
        Assert.Equal(new[] { 1, 3 }, ids[bob]);
        Assert.False(await Devices.UnlinkAsync(bob, first.DeviceId, default));
    }

    [Fact]
    public async Task Linking_stops_at_the_limit_of_linked_devices()
    {
        var bob = await UserAsync();

        var linked = new List<Device?>();
        for (var i = 0; i < 3; i++)
        {
            linked.Add(await Devices.LinkAsync(bob, $"d{i}", 2, T0, default));
        }

        Assert.NotNull(linked[0]);
        Assert.NotNull(linked[1]);
        Assert.Null(linked[2]);
    }

    [Fact]
    public async Task A_send_is_stored_once_per_device_with_each_devices_own_seq()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        await SendAsync(alice, bob, "before the laptop");
        var laptop = (await Devices.LinkAsync(bob, "laptop", 4, T0, default))!.DeviceId;

        var outcome = await SendAsync(alice, bob, "to both");

        Assert.Equal([(1, 2L), (laptop, 1L)], outcome.Stored.Select(s => (s.DeviceId, s.Envelope.Seq)).OrderBy(s => s.DeviceId));
        Assert.Equal(["before the laptop", "to both"], (await FetchAsync(bob, 1)).Select(e => e.Payload));
        Assert.Equal(["to both"], (await FetchAsync(bob, laptop)).Select(e => e.Payload));
    }

    [Fact]
    public async Task Each_device_acks_its_own_mailbox_and_only_the_first_ack_owes_a_receipt()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        var laptop = (await Devices.LinkAsync(bob, "laptop", 4, T0, default))!.DeviceId;
        var sent = await SendAsync(alice, bob, "m1");

        var byPhone = await AckAsync(bob, 1, 1);
        var laptopStillHas = await FetchAsync(bob, laptop);
        var byLaptop = await AckAsync(bob, laptop, 1);

        Assert.Equal(sent.MessageId, Assert.Single(byPhone.Receipts).MessageId);
        Assert.Equal(sent.MessageId, Assert.Single(laptopStillHas).MessageId);
        Assert.Equal(1, byLaptop.Removed);
        Assert.Empty(byLaptop.Receipts);
        Assert.Empty(await FetchAsync(bob, laptop));
    }

    [Fact]
    public async Task Receipts_are_stored_on_every_device_of_the_sender()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        var aliceLaptop = (await Devices.LinkAsync(alice, "laptop", 4, T0, default))!.DeviceId;
        var sent = await SendAsync(alice, bob, "m1");
        await AckAsync(bob, 1, 1);

        await using var transaction = await Store.BeginAsync(default);
        var stored = await transaction.DeliverReceiptsAsync(alice, bob, EnvelopeKind.Delivered, [sent.MessageId], T0, T0.AddDays(30), default);
        await transaction.CommitAsync(default);

        Assert.Equal([1, aliceLaptop], stored.Select(s => s.DeviceId).Order());
        Assert.All(stored, s => Assert.Equal((EnvelopeKind.Delivered, sent.MessageId), (s.Envelope.Kind, s.Envelope.MessageId)));
        Assert.Equal(EnvelopeKind.Delivered, Assert.Single(await FetchAsync(alice, aliceLaptop)).Kind);
    }

    [Fact]
    public async Task A_copy_goes_to_the_other_devices_only_and_owes_no_receipt()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        var laptop = (await Devices.LinkAsync(alice, "laptop", 4, T0, default))!.DeviceId;
        var draft = new EnvelopeDraft(Guid.CreateVersion7(T0), EnvelopeKind.Message, alice, null, "sent on the phone", T0, T0.AddDays(1), T0.AddDays(1), bob);

        IReadOnlyList<AddressedEnvelope> stored;
        await using (var transaction = await Store.BeginAsync(default))
        {
            stored = await transaction.StoreCopyAsync(alice, 1, draft, default);
            await transaction.CommitAsync(default);
        }

        var copy = Assert.Single(await FetchAsync(alice, laptop));
        Assert.Equal(laptop, Assert.Single(stored).DeviceId);
        Assert.Equal((true, bob, "sent on the phone"), (copy.IsCopy, copy.To, copy.Payload));
        Assert.Empty(await FetchAsync(alice, 1));
        Assert.Empty((await AckAsync(alice, laptop, copy.Seq)).Receipts);
    }

    [Fact]
    public async Task Unlinking_drops_the_devices_mailbox_and_later_sends_skip_it()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        var laptop = (await Devices.LinkAsync(bob, "laptop", 4, T0, default))!.DeviceId;
        await SendAsync(alice, bob, "m1");

        Assert.True(await Devices.UnlinkAsync(bob, laptop, default));
        var after = await SendAsync(alice, bob, "m2");

        Assert.Empty(await FetchAsync(bob, laptop));
        Assert.Equal(1, Assert.Single(after.Stored).DeviceId);
        Assert.Equal(2, (await FetchAsync(bob, 1)).Count);
    }

    [Fact]
    public async Task Inactive_linked_devices_are_found_and_primary_devices_never()
    {
        var bob = await UserAsync();
        var stale = (await Devices.LinkAsync(bob, "old laptop", 4, T0, default))!.DeviceId;
        var fresh = (await Devices.LinkAsync(bob, "tablet", 4, T0, default))!.DeviceId;
        await Devices.TouchAsync(bob, fresh, T0.AddDays(40), default);

        var inactive = await Devices.FindInactiveAsync(T0.AddDays(30), 1000, default);

        Assert.Contains((bob, stale), inactive);
        Assert.DoesNotContain((bob, fresh), inactive);
        Assert.DoesNotContain(inactive, d => d.DeviceId == 1);
    }

    [Fact]
    public async Task A_push_token_is_set_read_and_removed_only_while_unchanged()
    {
        var bob = await UserAsync();

        Assert.True(await Devices.SetPushTokenAsync(bob, 1, "fcm", "token-1", default));
        var registered = await Devices.GetPushTokenAsync(bob, 1, default);
        await Devices.SetPushTokenAsync(bob, 1, "fcm", "token-2", default);
        await Devices.RemovePushTokenAsync(bob, 1, "token-1", default);
        var kept = await Devices.GetPushTokenAsync(bob, 1, default);
        await Devices.RemovePushTokenAsync(bob, 1, "token-2", default);

        Assert.Equal(new PushRegistration(bob, 1, "fcm", "token-1"), registered);
        Assert.Equal("token-2", kept?.Token);
        Assert.Null(await Devices.GetPushTokenAsync(bob, 1, default));
        Assert.False(await Devices.SetPushTokenAsync(bob, 9, "fcm", "x", default));
    }

    private async Task<string> UserAsync()
    {
        var id = "d-" + Guid.NewGuid().ToString("N")[..12];
        Assert.True(await Accounts.CreateAsync(id, "hash", T0, default));
        return id;
    }

    private async Task<SendOutcome> SendAsync(string from, string to, string payload)
    {
        await using var transaction = await Store.BeginAsync(default);
        var outcome = await transaction.AppendMessageAsync(
            new SendCommand(from, Guid.NewGuid().ToString("N"), to, payload, Guid.CreateVersion7(T0), T0, T0.AddDays(1), T0.AddDays(30)), default);
        await transaction.CommitAsync(default);
        return outcome;
    }

    private async Task<AckOutcome> AckAsync(string userId, int deviceId, long upToSeq)
    {
        await using var transaction = await Store.BeginAsync(default);
        var outcome = await transaction.AckAsync(userId, deviceId, upToSeq, T0, T0.AddDays(30), default);
        await transaction.CommitAsync(default);
        return outcome;
    }

    private async Task<IReadOnlyList<Envelope>> FetchAsync(string userId, int deviceId) =>
        (await Store.FetchPendingAsync(userId, deviceId, 0, 100, T0, default)).Envelopes;
}

public sealed class PostgresDeviceStoreTests : DeviceStoreContractTests
{
    private NpgsqlDataSource? _dataSource;

    public override async Task InitializeAsync()
    {
        _dataSource = await MigratedStores.PostgresAsync("devices");
        Store = new PostgresMailboxStore(_dataSource);
        Accounts = new PostgresAccountStore(_dataSource);
        Devices = new PostgresDeviceStore(_dataSource);
    }

    public override async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }
}

public sealed class SqliteDeviceStoreTests : DeviceStoreContractTests
{
    private readonly string _directory = MigratedStores.NewSqliteDirectory();

    public override async Task InitializeAsync()
    {
        var connections = await MigratedStores.SqliteAsync(_directory);
        Store = new SqliteMailboxStore(connections);
        Accounts = new SqliteAccountStore(connections);
        Devices = new SqliteDeviceStore(connections);
    }

    public override Task DisposeAsync()
    {
        MigratedStores.DeleteSqlite(_directory);
        return Task.CompletedTask;
    }
}
