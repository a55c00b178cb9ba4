using System.Collections.Concurrent;
using Chat.Domain.Errors;
using Chat.Domain.Partitioning;
using Chat.Domain.Workers;
using Microsoft.Extensions.Time.Testing;

namespace Chat.UnitTests.Workers;

public sealed class KeyedWorkerPoolTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task SubmitAsync_HashModeOneKey_RunsOneAtATimeInSubmissionOrderOnItsWorker()
    {
        var active = 0;
        var maxActive = 0;
        var factory = new RecordingHandlerFactory<int, int>(async (_, batch, _) =>
        {
            var now = Interlocked.Increment(ref active);
            InterlockedMax(ref maxActive, now);
            await Task.Yield();
            Interlocked.Decrement(ref active);
            return Times10(batch);
        });
        await using var pool = CreatePool(Options(DispatchMode.Hash, workers: 4), factory);

        var tasks = Enumerable.Range(0, 300).Select(i => pool.SubmitAsync("alice", i)).ToArray();
        var results = await Task.WhenAll(tasks).WaitAsync(TestTimeout);

        Assert.Equal(Enumerable.Range(0, 300).Select(i => i * 10), results);
        Assert.Equal(Enumerable.Range(0, 300), factory.Seen);
        Assert.Equal(1, maxActive);
        Assert.All(factory.Batches, b => Assert.Equal(StableHash.Partition("alice", 4), b.Worker));
    }

    [Fact]
    public async Task SubmitAsync_HashModeKeysOnDifferentWorkers_RunInParallel()
    {
        var (first, second) = KeysOnDifferentWorkers(workers: 2);
        var started = new[] { NewGate(), NewGate() };
        var factory = new RecordingHandlerFactory<int, int>(async (handler, batch, cancellationToken) =>
        {
            // Each worker waits until the other has started too: this only finishes if both run at once.
            started[handler.Worker].TrySetResult();
            await started[1 - handler.Worker].Task.WaitAsync(TestTimeout, cancellationToken);
            return Times10(batch);
        });
        await using var pool = CreatePool(Options(DispatchMode.Hash, workers: 2), factory);

        var results = await Task.WhenAll(pool.SubmitAsync(first, 1), pool.SubmitAsync(second, 2)).WaitAsync(TestTimeout);

        Assert.Equal([10, 20], results);
        Assert.Equal(2, factory.Batches.Select(b => b.Worker).Distinct().Count());
    }

    [Fact]
    public async Task SubmitAsync_RoundRobinMode_SpreadsRequestsEvenlyOverWorkers()
    {
        var factory = new RecordingHandlerFactory<int, int>((_, batch, _) => Task.FromResult<IReadOnlyList<int>>(Times10(batch)));
        await using var pool = CreatePool(Options(DispatchMode.RoundRobin, workers: 3), factory);

        for (var i = 0; i < 9; i++)
        {
            Assert.Equal(i * 10, await pool.SubmitAsync("same-key", i).WaitAsync(TestTimeout));
        }

        var perWorker = factory.Batches.GroupBy(b => b.Worker).ToDictionary(g => g.Key, g => g.Sum(b => b.Batch.Length));
        Assert.Equal(new Dictionary<int, int> { [0] = 3, [1] = 3, [2] = 3 }, perWorker);
    }

    [Fact]
    public async Task SubmitAsync_FirstAvailableModeWithOneWorkerBlocked_UsesTheIdleWorker()
    {
        var started = NewGate();
        var release = NewGate();
        var factory = new RecordingHandlerFactory<int, int>(async (_, batch, cancellationToken) =>
        {
            if (batch.Contains(1))
            {
                started.TrySetResult();
                await release.Task.WaitAsync(TestTimeout, cancellationToken);
            }

            return Times10(batch);
        });
        await using var pool = CreatePool(Options(DispatchMode.FirstAvailable, workers: 2), factory);

        var blocked = pool.SubmitAsync("a", 1);
        await started.Task.WaitAsync(TestTimeout);
        var second = await pool.SubmitAsync("a", 2).WaitAsync(TestTimeout);

        Assert.Equal(20, second);
        Assert.False(blocked.IsCompleted);
        Assert.Single(pool.Snapshot().QueueLengths);
        release.TrySetResult();
        Assert.Equal(10, await blocked.WaitAsync(TestTimeout));
        Assert.Equal(2, factory.Batches.Select(b => b.Worker).Distinct().Count());
    }

    [Fact]
    public async Task SubmitAsync_SerializedModeKeyBusy_ParksRequestBehindItWhileOtherKeysRun()
    {
        var started = NewGate();
        var release = NewGate();
        var factory = new RecordingHandlerFactory<(string Key, int Seq), int>(async (_, batch, cancellationToken) =>
        {
            if (batch.Contains(("a", 1)))
            {
                started.TrySetResult();
                await release.Task.WaitAsync(TestTimeout, cancellationToken);
            }

            return batch.Select(r => r.Seq).ToArray();
        });
        await using var pool = new KeyedWorkerPool<(string Key, int Seq), int>(
            Options(DispatchMode.FirstAvailableSerialized, workers: 2), factory.Create, TimeProvider.System);

        var a1 = pool.SubmitAsync("a", ("a", 1));
        await started.Task.WaitAsync(TestTimeout);
        var a2 = pool.SubmitAsync("a", ("a", 2));
        Assert.Equal(1, await pool.SubmitAsync("b", ("b", 1)).WaitAsync(TestTimeout));

        Assert.False(a2.IsCompleted);
        Assert.DoesNotContain(("a", 2), factory.Seen);
        Assert.Equal(1, pool.Snapshot().TotalQueued);
        release.TrySetResult();
        var results = await Task.WhenAll(a1, a2).WaitAsync(TestTimeout);
        Assert.Equal([1, 2], results);
        var workersOfA = factory.Batches.Where(b => b.Batch.Any(r => r.Key == "a")).Select(b => b.Worker).Distinct();
        Assert.Single(workersOfA);
    }

    [Fact]
    public async Task SubmitAsync_SerializedModeManyConcurrentSubmits_NeverRunsOneKeyTwiceAtOnceAndKeepsOrder()
    {
        const int Keys = 8;
        const int PerKey = 100;
        var activeByKey = new ConcurrentDictionary<string, int>();
        var overlaps = 0;
        var factory = new RecordingHandlerFactory<(string Key, int Seq), int>(async (_, batch, _) =>
        {
            var keys = batch.Select(r => r.Key).Distinct().ToArray();
            foreach (var key in keys)
            {
                if (activeByKey.AddOrUpdate(key, 1, (_, n) => n + 1) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }
            }

            await Task.Yield();
            foreach (var key in keys)
            {
                activeByKey.AddOrUpdate(key, 0, (_, n) => n - 1);
            }

            return batch.Select(r => r.Seq).ToArray();
        });
        await using var pool = new KeyedWorkerPool<(string Key, int Seq), int>(
            Options(DispatchMode.FirstAvailableSerialized, workers: 4, maxBatchSize: 4), factory.Create, TimeProvider.System);

        // One submitter per key, all at once: each key's submission order is its loop order.
        var submitters = Enumerable.Range(0, Keys).Select(k => Task.Run(async () =>
        {
            var key = $"key-{k}";
            var tasks = new List<Task<int>>();
            for (var i = 0; i < PerKey; i++)
            {
                tasks.Add(pool.SubmitAsync(key, (key, i)));
            }

            return await Task.WhenAll(tasks);
        }));
        var results = await Task.WhenAll(submitters).WaitAsync(TestTimeout);

        Assert.All(results, r => Assert.Equal(Enumerable.Range(0, PerKey), r));
        Assert.Equal(0, overlaps);
        foreach (var group in factory.Seen.GroupBy(r => r.Key))
        {
            Assert.Equal(Enumerable.Range(0, PerKey), group.Select(r => r.Seq));
        }

        var snapshot = pool.Snapshot();
        Assert.Equal(Keys * PerKey, snapshot.Enqueued);
        Assert.Equal(Keys * PerKey, snapshot.Dequeued);
        Assert.Equal(0, snapshot.TotalQueued);
    }

    [Fact]
    public async Task SubmitAsync_QueueFull_FailsAtOnceWithOverloadedAndCounts()
    {
        var (factory, started, release) = BlockingFactory(blockOn: 0);
        var events = new ConcurrentQueue<WorkerPoolEvent>();
        var options = Options(DispatchMode.Hash, workers: 1, queueCapacity: 2);
        options.RetryAfterHint = TimeSpan.FromSeconds(3);
        await using var pool = CreatePool(options, factory);
        pool.EventRaised += events.Enqueue;

        var running = pool.SubmitAsync("k", 0);
        await started.Task.WaitAsync(TestTimeout);
        var queued = new[] { pool.SubmitAsync("k", 1), pool.SubmitAsync("k", 2) };
        var rejected = pool.SubmitAsync("k", 3);

        Assert.True(rejected.IsFaulted);
        var error = await Assert.ThrowsAsync<ChatException>(() => rejected);
        Assert.Equal(ChatErrorCode.Overloaded, error.Code);
        Assert.StartsWith("overloaded: ", error.Message);
        Assert.Equal(TimeSpan.FromSeconds(3), error.RetryAfter);
        var snapshot = pool.Snapshot();
        Assert.Equal(1, snapshot.DiscardedFull);
        Assert.Equal(3, snapshot.Enqueued);
        Assert.Equal(2, snapshot.TotalQueued);
        Assert.Equal([2], snapshot.QueueLengths);
        Assert.Equal(2, snapshot.MaxQueueLength);
        Assert.Equal(1, snapshot.NonEmptyQueues);
        Assert.Equal(1, snapshot.BusyWorkers);
        var discarded = Assert.Single(events);
        Assert.Equal(WorkerPoolEventKind.DiscardedFull, discarded.Kind);
        Assert.Equal(1, discarded.Count);

        release.TrySetResult();
        var results = await Task.WhenAll(queued.Prepend(running)).WaitAsync(TestTimeout);
        Assert.Equal([0, 10, 20], results);
        Assert.DoesNotContain(3, factory.Seen);
    }

    [Fact]
    public async Task Snapshot_CountsTheRequestsOfRunningBatchesAsInFlight()
    {
        var (first, second) = (NewGate(), NewGate());
        var (firstStarted, secondStarted) = (NewGate(), NewGate());
        var factory = new RecordingHandlerFactory<int, int>(async (_, batch, cancellationToken) =>
        {
            var (started, release) = batch.Contains(0) ? (firstStarted, first) : (secondStarted, second);
            started.TrySetResult();
            await release.Task.WaitAsync(TestTimeout, cancellationToken);
            return Times10(batch);
        });
        await using var pool = CreatePool(Options(DispatchMode.Hash, workers: 1), factory);

        var running = pool.SubmitAsync("k", 0);
        await firstStarted.Task.WaitAsync(TestTimeout);
        var queued = new[] { pool.SubmitAsync("k", 1), pool.SubmitAsync("k", 2), pool.SubmitAsync("k", 3) };
        var whileFirst = pool.Snapshot();
        first.TrySetResult();
        await secondStarted.Task.WaitAsync(TestTimeout);
        var whileSecond = pool.Snapshot();
        second.TrySetResult();
        await Task.WhenAll(queued.Prepend(running)).WaitAsync(TestTimeout);

        Assert.Equal((1, 3), (whileFirst.InFlight, whileFirst.TotalQueued));
        Assert.Equal((3, 0), (whileSecond.InFlight, whileSecond.TotalQueued));
    }

    [Fact]
    public async Task SubmitAsync_DeadlinePassesWhileQueued_DropsRequestWithoutRunningIt()
    {
        var time = new FakeTimeProvider();
        var (factory, started, release) = BlockingFactory(blockOn: 0);
        var options = Options(DispatchMode.Hash, workers: 1);
        options.MaxRequestAge = TimeSpan.FromSeconds(5);
        await using var pool = CreatePool(options, factory, time);

        var running = pool.SubmitAsync("k", 0);
        await started.Task.WaitAsync(TestTimeout);
        var expiring = pool.SubmitAsync("k", 1, deadline: time.GetUtcNow().AddSeconds(2));
        var patient = pool.SubmitAsync("k", 2);
        time.Advance(TimeSpan.FromSeconds(3));
        release.TrySetResult();

        var error = await Assert.ThrowsAsync<ChatException>(() => expiring.WaitAsync(TestTimeout));
        Assert.Equal(ChatErrorCode.Overloaded, error.Code);
        Assert.Equal("request expired", error.Detail);
        var results = await Task.WhenAll(running, patient).WaitAsync(TestTimeout);
        Assert.Equal([0, 20], results);
        Assert.Equal([0, 2], factory.Seen);
        var snapshot = pool.Snapshot();
        Assert.Equal(1, snapshot.DiscardedExpired);
        Assert.Equal(3, snapshot.Dequeued);
    }

    [Fact]
    public async Task SubmitAsync_DeadlineBeyondMaxRequestAge_IsCappedAtMaxRequestAge()
    {
        var time = new FakeTimeProvider();
        var (factory, started, release) = BlockingFactory(blockOn: 0);
        var options = Options(DispatchMode.Hash, workers: 1);
        options.MaxRequestAge = TimeSpan.FromSeconds(5);
        await using var pool = CreatePool(options, factory, time);

        var running = pool.SubmitAsync("k", 0);
        await started.Task.WaitAsync(TestTimeout);
        var distant = pool.SubmitAsync("k", 1, deadline: time.GetUtcNow().AddDays(30));
        time.Advance(TimeSpan.FromSeconds(6));
        release.TrySetResult();

        var error = await Assert.ThrowsAsync<ChatException>(() => distant.WaitAsync(TestTimeout));
        Assert.Equal("request expired", error.Detail);
        Assert.DoesNotContain(1, factory.Seen);
        await running.WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task SubmitAsync_DeadlineAlreadyPassed_FailsAtOnceAsExpired()
    {
        var time = new FakeTimeProvider();
        var factory = new RecordingHandlerFactory<int, int>((_, batch, _) => Task.FromResult<IReadOnlyList<int>>(Times10(batch)));
        await using var pool = CreatePool(Options(DispatchMode.Hash, workers: 1), factory, time);

        var task = pool.SubmitAsync("k", 1, deadline: time.GetUtcNow().AddSeconds(-1));

        Assert.True(task.IsFaulted);
        var error = await Assert.ThrowsAsync<ChatException>(() => task);
        Assert.Equal("request expired", error.Detail);
        Assert.Equal(1, pool.Snapshot().DiscardedExpired);
        Assert.Empty(factory.Seen);
    }

    [Fact]
    public async Task Watchdog_BatchRunsPastStuckAfter_KillsWorkerAndReplacesHandler()
    {
        var time = new FakeTimeProvider();
        var started = NewGate();
        var release = NewGate();
        var cancelled = NewGate();
        var factory = new RecordingHandlerFactory<int, int>(async (handler, batch, cancellationToken) =>
        {
            if (handler.Instance == 0)
            {
                cancellationToken.Register(() => cancelled.TrySetResult());
                started.TrySetResult();

                // Ignores cancellation on purpose, to return a late result after being replaced.
                await release.Task.WaitAsync(TestTimeout, CancellationToken.None);
            }

            return batch.Select(r => r + (1000 * handler.Instance)).ToArray();
        });
        var events = new ConcurrentQueue<WorkerPoolEvent>();
        var options = Options(DispatchMode.Hash, workers: 1);
        options.StuckAfter = TimeSpan.FromSeconds(5);
        options.MaxRequestAge = TimeSpan.FromMinutes(1);
        await using var pool = CreatePool(options, factory, time);
        pool.EventRaised += events.Enqueue;

        var stuck = pool.SubmitAsync("k", 1);
        await started.Task.WaitAsync(TestTimeout);
        var queued = pool.SubmitAsync("k", 2);
        time.Advance(TimeSpan.FromSeconds(6));

        var error = await Assert.ThrowsAsync<ChatException>(() => stuck.WaitAsync(TestTimeout));
        Assert.Equal(ChatErrorCode.Unavailable, error.Code);
        Assert.StartsWith("worker stuck", error.Detail);
        await cancelled.Task.WaitAsync(TestTimeout);
        Assert.Equal(1002, await queued.WaitAsync(TestTimeout));
        Assert.Equal(1003, await pool.SubmitAsync("k", 3).WaitAsync(TestTimeout));
        Assert.Equal(1, pool.Snapshot().KilledWorkers);
        Assert.Equal(2, factory.Created.Count);
        Assert.Contains(events, e => e.Kind == WorkerPoolEventKind.WorkerKilled && e.Worker == 0);

        // The abandoned handler's late result must not reach its callers, and it is disposed once it returns.
        release.TrySetResult();
        await factory.Created[0].Disposed.Task.WaitAsync(TestTimeout);
        Assert.True(stuck.IsFaulted);
        Assert.False(factory.Created[1].Disposed.Task.IsCompleted);
    }

    [Fact]
    public async Task SubmitAsync_HandlerThrows_FailsEveryCallerOfTheBatchAndLaterBatchesWork()
    {
        var (factory, started, release) = BlockingFactory(blockOn: 0, failOn: -1);
        await using var pool = CreatePool(Options(DispatchMode.Hash, workers: 1), factory);

        var first = pool.SubmitAsync("k", 0);
        await started.Task.WaitAsync(TestTimeout);
        var doomed = new[] { pool.SubmitAsync("k", 1), pool.SubmitAsync("k", 2), pool.SubmitAsync("k", -1) };
        release.TrySetResult();

        Assert.Equal(0, await first.WaitAsync(TestTimeout));
        foreach (var task in doomed)
        {
            var error = await Assert.ThrowsAsync<ChatException>(() => task.WaitAsync(TestTimeout));
            Assert.Equal(ChatErrorCode.Unavailable, error.Code);
            Assert.IsType<InvalidOperationException>(error.InnerException);
        }

        Assert.Equal(50, await pool.SubmitAsync("k", 5).WaitAsync(TestTimeout));
        Assert.Contains(factory.Batches, b => b.Batch.SequenceEqual([1, 2, -1]));
        Assert.Equal(1, pool.Snapshot().Failed);
    }

    [Fact]
    public async Task SubmitAsync_HandlerThrowsChatException_CallersGetItUnchanged()
    {
        var factory = new RecordingHandlerFactory<int, int>((_, _, _) =>
            Task.FromException<IReadOnlyList<int>>(new ChatException(ChatErrorCode.Conflict, "duplicate")));
        await using var pool = CreatePool(Options(DispatchMode.Hash, workers: 1), factory);

        var error = await Assert.ThrowsAsync<ChatException>(() => pool.SubmitAsync("k", 1).WaitAsync(TestTimeout));

        Assert.Equal(ChatErrorCode.Conflict, error.Code);
        Assert.Equal("duplicate", error.Detail);
    }

    [Fact]
    public async Task SubmitAsync_HandlerReturnsWrongResultCount_FailsCallersAsUnavailable()
    {
        var factory = new RecordingHandlerFactory<int, int>((_, _, _) => Task.FromResult<IReadOnlyList<int>>([]));
        await using var pool = CreatePool(Options(DispatchMode.Hash, workers: 1), factory);

        var error = await Assert.ThrowsAsync<ChatException>(() => pool.SubmitAsync("k", 1).WaitAsync(TestTimeout));

        Assert.Equal(ChatErrorCode.Unavailable, error.Code);
        Assert.Equal(1, pool.Snapshot().Failed);
    }

    [Fact]
    public async Task SubmitAsync_RequestsQueuedWhileWorkerBusy_ArriveInBatchesOfAtMostMaxBatchSize()
    {
        var (factory, started, release) = BlockingFactory(blockOn: 0);
        await using var pool = CreatePool(Options(DispatchMode.Hash, workers: 1, maxBatchSize: 4), factory);

        var first = pool.SubmitAsync("k", 0);
        await started.Task.WaitAsync(TestTimeout);
        var queued = Enumerable.Range(1, 6).Select(i => pool.SubmitAsync("k", i)).ToArray();
        release.TrySetResult();
        await Task.WhenAll(queued.Prepend(first)).WaitAsync(TestTimeout);

        Assert.Equal([[0], [1, 2, 3, 4], [5, 6]], factory.Batches.Select(b => b.Batch));
    }

    [Fact]
    public async Task SubmitAsync_CallerCancelsWhileQueued_StopsWaitingAndRequestNeverRuns()
    {
        var (factory, started, release) = BlockingFactory(blockOn: 0);
        await using var pool = CreatePool(Options(DispatchMode.Hash, workers: 1), factory);
        using var cancellation = new CancellationTokenSource();

        var first = pool.SubmitAsync("k", 0);
        await started.Task.WaitAsync(TestTimeout);
        var cancelled = pool.SubmitAsync("k", 1, cancellationToken: cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TestTimeout));
        release.TrySetResult();
        Assert.Equal(0, await first.WaitAsync(TestTimeout));
        Assert.Equal(20, await pool.SubmitAsync("k", 2).WaitAsync(TestTimeout));
        Assert.Equal([0, 2], factory.Seen);
    }

    [Fact]
    public async Task Snapshot_WorkerBlockedWithQueue_ReportsRatesWaitAndDrainEstimate()
    {
        var time = new FakeTimeProvider();
        var (factory, started, release) = BlockingFactory(blockOn: 0);
        var options = Options(DispatchMode.Hash, workers: 1);
        options.MaxRequestAge = TimeSpan.FromMinutes(1);
        options.StuckAfter = TimeSpan.FromMinutes(1);
        await using var pool = CreatePool(options, factory, time);

        var first = pool.SubmitAsync("k", 0);
        await started.Task.WaitAsync(TestTimeout);
        var queued = Enumerable.Range(1, 4).Select(i => pool.SubmitAsync("k", i)).ToArray();
        Assert.Equal(-1, pool.Snapshot().EstimatedDrainSeconds);

        time.Advance(TimeSpan.FromSeconds(2));
        var snapshot = pool.Snapshot();

        Assert.Equal(4, snapshot.TotalQueued);
        Assert.Equal(2.5, snapshot.EnqueueRatePerSecond, precision: 6);
        Assert.Equal(0.5, snapshot.DequeueRatePerSecond, precision: 6);
        Assert.Equal(8, snapshot.EstimatedDrainSeconds, precision: 6);
        release.TrySetResult();
        await Task.WhenAll(queued.Prepend(first)).WaitAsync(TestTimeout);
        snapshot = pool.Snapshot();
        Assert.Equal(2000, snapshot.WaitP99Milliseconds, precision: 6);
        Assert.Equal(0, snapshot.EstimatedDrainSeconds);
        Assert.Equal(5, snapshot.Dequeued);
    }

    [Fact]
    public async Task DisposeAsync_RequestsStillQueued_FinishesRunningBatchAndFailsTheRestWithShuttingDown()
    {
        var (factory, started, release) = BlockingFactory(blockOn: 0);
        var pool = CreatePool(Options(DispatchMode.Hash, workers: 1), factory);

        var running = pool.SubmitAsync("k", 0);
        await started.Task.WaitAsync(TestTimeout);
        var queued = new[] { pool.SubmitAsync("k", 1), pool.SubmitAsync("k", 2) };
        var disposal = pool.DisposeAsync().AsTask();
        var late = pool.SubmitAsync("k", 3);
        release.TrySetResult();
        await disposal.WaitAsync(TestTimeout);

        Assert.Equal(0, await running.WaitAsync(TestTimeout));
        foreach (var task in queued.Append(late))
        {
            var error = await Assert.ThrowsAsync<ChatException>(() => task.WaitAsync(TestTimeout));
            Assert.Equal(ChatErrorCode.Unavailable, error.Code);
            Assert.Equal("shutting down", error.Detail);
        }

        Assert.Equal([0], factory.Seen);
        Assert.True(factory.Created[0].Disposed.Task.IsCompleted);
        await pool.DisposeAsync().AsTask().WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task DisposeAsync_SerializedModeWithParkedRequests_FailsThemWithShuttingDown()
    {
        var started = NewGate();
        var release = NewGate();
        var factory = new RecordingHandlerFactory<int, int>(async (_, batch, cancellationToken) =>
        {
            if (batch.Contains(0))
            {
                started.TrySetResult();
                await release.Task.WaitAsync(TestTimeout, cancellationToken);
            }

            return Times10(batch);
        });
        var pool = CreatePool(Options(DispatchMode.FirstAvailableSerialized, workers: 2), factory);

        var running = pool.SubmitAsync("k", 0);
        await started.Task.WaitAsync(TestTimeout);
        var parked = pool.SubmitAsync("k", 1);
        Assert.Equal(20, await pool.SubmitAsync("other", 2).WaitAsync(TestTimeout));
        var disposal = pool.DisposeAsync().AsTask();
        release.TrySetResult();
        await disposal.WaitAsync(TestTimeout);

        Assert.Equal(0, await running.WaitAsync(TestTimeout));
        var error = await Assert.ThrowsAsync<ChatException>(() => parked.WaitAsync(TestTimeout));
        Assert.Equal("shutting down", error.Detail);
        Assert.DoesNotContain(1, factory.Seen);
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        var factory = new RecordingHandlerFactory<int, int>((_, batch, _) => Task.FromResult<IReadOnlyList<int>>(Times10(batch)));

        Assert.Throws<ArgumentOutOfRangeException>(() => CreatePool(Options(DispatchMode.Hash, workers: 0), factory));
        Assert.Throws<ArgumentOutOfRangeException>(() => CreatePool(Options(DispatchMode.Hash, workers: 1, queueCapacity: 0), factory));
        Assert.Throws<ArgumentOutOfRangeException>(() => CreatePool(Options(DispatchMode.Hash, workers: 1, maxBatchSize: 0), factory));
        Assert.Empty(factory.Created);
    }

    private static KeyedWorkerPool<int, int> CreatePool(WorkerPoolOptions options, RecordingHandlerFactory<int, int> factory, TimeProvider? time = null) =>
        new(options, factory.Create, time ?? TimeProvider.System);

    private static WorkerPoolOptions Options(DispatchMode mode, int workers, int queueCapacity = 1024, int maxBatchSize = 64) => new()
    {
        Name = "test",
        Mode = mode,
        Workers = workers,
        QueueCapacity = queueCapacity,
        MaxBatchSize = maxBatchSize,
    };

    /// <summary>A factory whose handlers block on the batch containing <paramref name="blockOn"/> until released.</summary>
    private static (RecordingHandlerFactory<int, int> Factory, TaskCompletionSource Started, TaskCompletionSource Release) BlockingFactory(int blockOn, int? failOn = null)
    {
        var started = NewGate();
        var release = NewGate();
        var factory = new RecordingHandlerFactory<int, int>(async (_, batch, cancellationToken) =>
        {
            if (batch.Contains(blockOn))
            {
                started.TrySetResult();
                await release.Task.WaitAsync(TestTimeout, cancellationToken);
            }

            if (failOn is { } poison && batch.Contains(poison))
            {
                throw new InvalidOperationException("poisoned batch");
            }

            return Times10(batch);
        });
        return (factory, started, release);
    }

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static int[] Times10(IEnumerable<int> batch) => batch.Select(r => r * 10).ToArray();

    private static (string First, string Second) KeysOnDifferentWorkers(int workers)
    {
        const string First = "user-0";
        var partition = StableHash.Partition(First, workers);
        var second = Enumerable.Range(1, 1000).Select(i => $"user-{i}").First(k => StableHash.Partition(k, workers) != partition);
        return (First, second);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
