using BenchmarkDotNet.Attributes;
using Chat.Domain.Workers;

namespace Chat.Benchmarks;

/// <summary>
/// Per-request cost of going through a <see cref="KeyedWorkerPool{TRequest, TResult}"/> with a handler that
/// does nothing, against calling that handler directly. Each operation is one request; an invocation runs
/// <see cref="Items"/> of them over 64 keys.
/// </summary>
[MemoryDiagnoser]
public class WorkerPoolDispatchBenchmarks
{
    private const int Items = 10_000;
    private const int KeyCount = 64;

    private readonly string[] _keys = Enumerable.Range(0, KeyCount).Select(i => $"user-{i}").ToArray();
    private readonly Task<int>[] _pending = new Task<int>[Items];
    private readonly int[] _single = new int[1];
    private readonly TrivialWorkerHandler _direct = new();
    private KeyedWorkerPool<int, int>? _pool;

    [Params(DispatchMode.Hash, DispatchMode.RoundRobin, DispatchMode.FirstAvailableSerialized)]
    public DispatchMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new WorkerPoolOptions
        {
            Name = "bench",
            Mode = Mode,
            Workers = 8,
            QueueCapacity = Items, // room for a whole invocation even if every key landed on one worker
            MaxBatchSize = 64,
        };
        _pool = new KeyedWorkerPool<int, int>(options, _ => new TrivialWorkerHandler(), TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup() => _pool?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The handler called directly with one request at a time: the cost without a pool.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Items)]
    public async Task<long> DirectHandlerCall()
    {
        long sum = 0;
        for (var i = 0; i < Items; i++)
        {
            _single[0] = i;
            var results = await _direct.ProcessAsync(_single, CancellationToken.None);
            sum += results[0];
        }

        return sum;
    }

    /// <summary>Submit, then await before the next submit: the round trip through a queue and a worker.</summary>
    [Benchmark(OperationsPerInvoke = Items)]
    public async Task<long> SubmitAndAwaitEach()
    {
        long sum = 0;
        for (var i = 0; i < Items; i++)
        {
            sum += await _pool!.SubmitAsync(_keys[i % KeyCount], i);
        }

        return sum;
    }

    /// <summary>Submit everything, then await it all: throughput with queues filling up and batches forming.</summary>
    [Benchmark(OperationsPerInvoke = Items)]
    public async Task<long> SubmitAllThenAwait()
    {
        for (var i = 0; i < Items; i++)
        {
            _pending[i] = _pool!.SubmitAsync(_keys[i % KeyCount], i);
        }

        long sum = 0;
        foreach (var pending in _pending)
        {
            sum += await pending;
        }

        return sum;
    }
}
