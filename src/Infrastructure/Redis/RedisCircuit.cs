using StackExchange.Redis;

namespace Chat.Infrastructure.Redis;

/// <summary>
/// Whether a best-effort Redis call is worth trying: not while the multiplexer is disconnected (a command would
/// wait for the full timeout), and not for a few seconds after one failed. Callers fall back to this node's own
/// state meanwhile, so a Redis outage costs the limits their reach across nodes, never a client's request.
/// </summary>
internal sealed class RedisCircuit(IConnectionMultiplexer redis, TimeProvider time)
{
    private static readonly TimeSpan OpenFor = TimeSpan.FromSeconds(5);

    private long _retryAtTicks;

    public bool ShouldTry => redis.IsConnected && time.GetUtcNow().UtcTicks >= Interlocked.Read(ref _retryAtTicks);

    /// <summary>Records a failure; returns true for the first one of an outage (worth a log line).</summary>
    public bool Failed()
    {
        var now = time.GetUtcNow().UtcTicks;
        var previous = Interlocked.Exchange(ref _retryAtTicks, now + OpenFor.Ticks);
        return previous + OpenFor.Ticks < now;
    }

    public static bool IsRedisFailure(Exception e) => e is RedisException or TimeoutException;
}
