using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Chat.Domain.Workers;

namespace Chat.UnitTests.Workers;

public sealed class WorkerPoolMetricsTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Constructor_MeterFactory_PublishesEveryInstrumentWithItsUnit()
    {
        using var meterFactory = new TestMeterFactory();
        var units = new ConcurrentDictionary<string, string?>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Scope == meterFactory)
                {
                    Assert.Equal(WorkerPoolMetrics.MeterName, instrument.Meter.Name);
                    units[instrument.Name] = instrument.Unit;
                }
            },
        };
        listener.Start();

        _ = new WorkerPoolMetrics(meterFactory);

        Assert.Equal("{request}", units["chat.pool.queue.length"]);
        Assert.Equal("{request}", units["chat.pool.queue.max_length"]);
        Assert.Equal("{request}", units["chat.pool.enqueued"]);
        Assert.Equal("{request}", units["chat.pool.dequeued"]);
        Assert.Equal("{request}", units["chat.pool.discarded"]);
        Assert.Equal("{worker}", units["chat.pool.workers.killed"]);
        Assert.Equal("s", units["chat.pool.queue.wait"]);
        Assert.Equal("s", units["chat.pool.processing.duration"]);
        Assert.Equal("s", units["chat.pool.drain.estimated"]);
    }

    [Fact]
    public async Task Instruments_PoolActivity_RecordsMeasurementsTaggedWithPoolName()
    {
        using var meterFactory = new TestMeterFactory();
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meterFactory)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => measurements.Enqueue((i.Name, v, ToDictionary(t))));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => measurements.Enqueue((i.Name, v, ToDictionary(t))));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => measurements.Enqueue((i.Name, v, ToDictionary(t))));
        listener.Start();
        var metrics = new WorkerPoolMetrics(meterFactory);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var factory = new RecordingHandlerFactory<int, int>(async (_, batch, cancellationToken) =>
        {
            if (batch.Contains(0))
            {
                started.TrySetResult();
                await release.Task.WaitAsync(TestTimeout, cancellationToken);
            }

            return batch.Select(r => r + 1).ToArray();
        });
        var options = new WorkerPoolOptions { Name = "messages", Workers = 1, QueueCapacity = 1 };
        var pool = new KeyedWorkerPool<int, int>(options, factory.Create, TimeProvider.System, metrics);

        var first = pool.SubmitAsync("k", 0);
        await started.Task.WaitAsync(TestTimeout);
        var second = pool.SubmitAsync("k", 1);
        var rejected = pool.SubmitAsync("k", 2);
        listener.RecordObservableInstruments();
        release.TrySetResult();
        await Task.WhenAll(first, second).WaitAsync(TestTimeout);
        await Assert.ThrowsAnyAsync<Exception>(() => rejected);

        Assert.Equal(pool, Assert.Single(metrics.Pools));
        Assert.All(measurements, m => Assert.Equal("messages", m.Tags["pool"]));
        Assert.Equal(2, Sum("chat.pool.enqueued"));
        Assert.Equal(2, Sum("chat.pool.dequeued"));
        Assert.Equal(2, measurements.Count(m => m.Instrument == "chat.pool.queue.wait"));
        Assert.Equal(2, measurements.Count(m => m.Instrument == "chat.pool.processing.duration"));
        var discarded = Assert.Single(measurements, m => m.Instrument == "chat.pool.discarded");
        Assert.Equal("full", discarded.Tags["reason"]);
        Assert.Equal(1, Assert.Single(measurements, m => m.Instrument == "chat.pool.queue.length").Value);
        Assert.Equal(1, Assert.Single(measurements, m => m.Instrument == "chat.pool.queue.max_length").Value);

        await pool.DisposeAsync().AsTask().WaitAsync(TestTimeout);
        Assert.Empty(metrics.Pools);

        double Sum(string instrument) => measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);
    }

    [Fact]
    public async Task Constructor_PoolNameAlreadyRegistered_Throws()
    {
        using var meterFactory = new TestMeterFactory();
        var metrics = new WorkerPoolMetrics(meterFactory);
        var factory = new RecordingHandlerFactory<int, int>((_, batch, _) => Task.FromResult<IReadOnlyList<int>>(batch));
        var options = new WorkerPoolOptions { Name = "twice", Workers = 1 };
        await using var pool = new KeyedWorkerPool<int, int>(options, factory.Create, TimeProvider.System, metrics);

        Assert.Throws<ArgumentException>(() => new KeyedWorkerPool<int, int>(options, factory.Create, TimeProvider.System, metrics));
        Assert.Single(metrics.Pools);
        Assert.Single(factory.Created);
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}
