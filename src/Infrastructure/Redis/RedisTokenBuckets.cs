using System.Globalization;
using Chat.Domain.RateLimits;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using StackExchange.Redis.KeyspaceIsolation;

namespace Chat.Infrastructure.Redis;

/// <summary>Token buckets shared by every node, one Redis hash each, taken from atomically by a Lua script.</summary>
public sealed partial class RedisTokenBuckets : ISharedTokenBuckets
{
    private readonly IDatabase _db;
    private readonly RedisCircuit _circuit;
    private readonly InProcessTokenBuckets _fallback;
    private readonly ILogger<RedisTokenBuckets> _logger;

    /// <param name="keyPrefix">"{Redis:ChannelPrefix}:rate:"; bucket names follow it.</param>
    public RedisTokenBuckets(IConnectionMultiplexer redis, string keyPrefix, TimeProvider time, ILogger<RedisTokenBuckets> logger)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _db = redis.GetDatabase().WithKeyPrefix(keyPrefix);
        _circuit = new RedisCircuit(redis, time);
        _fallback = new InProcessTokenBuckets(time);
        _logger = logger;
    }

    public bool IsLocal => false;

    public async ValueTask<TokenGrant> TakeAsync(string key, TokenBucketSpec spec, int wanted, CancellationToken cancellationToken)
    {
        if (!_circuit.ShouldTry)
        {
            return _fallback.Take(key, spec, wanted);
        }

        try
        {
            var result = (RedisResult[])(await _db.ScriptEvaluateAsync(
                RedisRateLimitScripts.TakeTokens,
                [key],
                [(spec.RatePerSecond / 1000).ToString("R", CultureInfo.InvariantCulture), spec.Capacity, wanted]).ConfigureAwait(false))!;
            return new TokenGrant((int)result[0], TimeSpan.FromMilliseconds((long)result[1]));
        }
        catch (Exception e) when (RedisCircuit.IsRedisFailure(e))
        {
            if (_circuit.Failed())
            {
                LogFallback(_logger, e);
            }

            return _fallback.Take(key, spec, wanted);
        }
    }

    [LoggerMessage(EventId = 620, Level = LogLevel.Warning, Message = "Rate limits fall back to this node's own counts while Redis is unreachable")]
    private static partial void LogFallback(ILogger logger, Exception exception);
}
