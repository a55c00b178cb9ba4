using BenchmarkDotNet.Attributes;
using Chat.Domain.RateLimits;
using Chat.Infrastructure.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Chat.Benchmarks;

/// <summary>
/// Cost of the per-user send limit on the hot path: one operation is one send checked for one of 1,000 users,
/// in turn. <c>InProcess</c> is the embedded default (a bucket per user in this process). <c>Redis</c> takes
/// <see cref="LeaseSize"/> tokens per round trip from the shared bucket (lease 1: a round trip per send).
/// Needs CHAT_BENCH_REDIS (host:port) for the Redis cases, e.g. the one of <c>scripts/test.sh --servers-only</c>:
/// <c>CHAT_BENCH_REDIS=127.0.0.1:6379 dotnet run -c Release --project bench/Chat.Benchmarks -- --filter '*SendRateLimit*'</c>.
/// </summary>
[MemoryDiagnoser]
public class SendRateLimitBenchmarks
{
    private const int Users = 1_000;
    private const int Sends = 10_000;

    private readonly string[] _users = Enumerable.Range(0, Users).Select(i => $"user-{i:D4}").ToArray();
    private ConnectionMultiplexer? _redis;
    private LocalFirstRateLimiter _limiter = null!;

    [Params("InProcess", "Redis")]
    public string Store { get; set; } = "InProcess";

    [Params(1, 10)]
    public int LeaseSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        ISharedTokenBuckets buckets = new InProcessTokenBuckets(TimeProvider.System);
        if (Store == "Redis")
        {
            var address = Environment.GetEnvironmentVariable("CHAT_BENCH_REDIS") ?? throw new InvalidOperationException("set CHAT_BENCH_REDIS=host:port");
            _redis = ConnectionMultiplexer.Connect(address);
            buckets = new RedisTokenBuckets(_redis, $"bench-{Guid.NewGuid():N}:rate:", TimeProvider.System, NullLogger<RedisTokenBuckets>.Instance);
        }

        // Far above what the loop asks for: the benchmark measures the check, not refusals.
        _limiter = new LocalFirstRateLimiter("send", buckets, new TokenBucketSpec(1_000_000, 1_000_000), LeaseSize, TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup() => _redis?.Dispose();

    [Benchmark(OperationsPerInvoke = Sends)]
    public async Task<int> CheckSends()
    {
        var allowed = 0;
        for (var i = 0; i < Sends; i++)
        {
            allowed += (await _limiter.TryAcquireAsync(_users[i % Users], default)).Allowed ? 1 : 0;
        }

        return allowed;
    }
}
