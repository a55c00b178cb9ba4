using Chat.Domain.Errors;
using Chat.Domain.Messaging;
using Chat.Infrastructure.Postgres;
using Chat.IntegrationTests.Infrastructure;
using Npgsql;

namespace Chat.IntegrationTests.Hostile;

/// <summary>
/// A batch is an optimisation, never a shared fate: a request the database refuses (here a NUL byte, which
/// PostgreSQL cannot store in text, smuggled past validation) gets its own error, and every other request of
/// its batch its own true answer.
/// </summary>
public sealed class BatchIsolationTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);

    private NpgsqlDataSource _dataSource = null!;
    private PostgresMailboxStore _store = null!;
    private readonly RecordingNotifier _notifier = new();

    public async Task InitializeAsync()
    {
        _dataSource = await MigratedStores.PostgresAsync("isolation");
        _store = new PostgresMailboxStore(_dataSource);
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    [Fact]
    public async Task Poisoned_send_fails_alone_and_the_rest_of_its_batch_is_stored_and_pushed()
    {
        var accounts = new PostgresAccountStore(_dataSource);
        var (mallory, alice, bob, carol) = ("mallory", "alice", "bob", "carol");
        foreach (var user in new[] { mallory, alice, bob, carol })
        {
            await accounts.CreateAsync(user, "hash", Now, default);
        }

        var handler = new MailboxWorkerHandler(_store, _notifier, new PostgresErrorClassifier());
        var batch = new MailboxOperation[]
        {
            Send(alice, bob, "good-1", "hello bob"),
            Send(mallory, bob, "poison", "a\0b"),
            Send(alice, carol, "good-2", "hello carol"),
            Send(carol, bob, "good-3", "hi bob"),
            new AckOperation(carol, 1, 1, Now, Now.AddDays(1)),
        };

        var results = await handler.ProcessAsync(batch, default);

        Assert.Equal(ChatErrorCode.InvalidRequest, Assert.IsType<ChatException>(results[1].Error).Code);
        Assert.All(new[] { 0, 2, 3, 4 }, i => Assert.Null(results[i].Error));
        var bobs = (await _store.FetchPendingAsync(bob, 1, 0, 10, Now, default)).Envelopes;
        Assert.Equal(["hello bob", "hi bob"], bobs.Select(e => e.Payload));
        Assert.Equal([1L, 2L], bobs.Select(e => e.Seq));
        Assert.Equal(1, results[4].Get<AckOutcome>().Removed); // carol's ack ran after the send to her, as queued
        Assert.Empty((await _store.FetchPendingAsync(carol, 1, 0, 10, Now, default)).Envelopes);
        Assert.Equal(3, _notifier.Pushed.Count);
    }

    [Fact]
    public async Task Lone_poisoned_send_fails_with_invalid_request_not_unavailable()
    {
        var accounts = new PostgresAccountStore(_dataSource);
        await accounts.CreateAsync("dave", "hash", Now, default);
        var handler = new MailboxWorkerHandler(_store, _notifier, new PostgresErrorClassifier());

        var results = await handler.ProcessAsync([Send("dave", "dave", "poison\0id", "x")], default);

        Assert.Equal(ChatErrorCode.InvalidRequest, Assert.IsType<ChatException>(results[0].Error).Code);
    }

    private static SendOperation Send(string from, string to, string clientMessageId, string payload) =>
        new(new SendCommand(from, clientMessageId, to, payload, Guid.CreateVersion7(Now), Now, Now.AddDays(1), Now.AddDays(2)));

    private sealed class RecordingNotifier : IEnvelopeNotifier
    {
        public List<AddressedEnvelope> Pushed { get; } = [];

        public Task NotifyAsync(IReadOnlyList<AddressedEnvelope> envelopes, CancellationToken cancellationToken)
        {
            lock (Pushed)
            {
                Pushed.AddRange(envelopes);
            }

            return Task.CompletedTask;
        }
    }
}
