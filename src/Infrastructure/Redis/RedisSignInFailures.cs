using Chat.Domain.Accounts;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using StackExchange.Redis.KeyspaceIsolation;

namespace Chat.Infrastructure.Redis;

/// <summary>Failed sign-ins per account in Redis (a hash per account that expires), so every node sees every failure.</summary>
public sealed partial class RedisSignInFailures : ISignInFailures
{
    private readonly IDatabase _db;
    private readonly SignInBackoff _backoff;
    private readonly RedisCircuit _circuit;
    private readonly InProcessSignInFailures _fallback;
    private readonly ILogger<RedisSignInFailures> _logger;

    /// <param name="keyPrefix">"{Redis:ChannelPrefix}:signin:"; user ids follow it.</param>
    public RedisSignInFailures(IConnectionMultiplexer redis, string keyPrefix, SignInBackoff backoff, TimeProvider time, ILogger<RedisSignInFailures> logger)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _db = redis.GetDatabase().WithKeyPrefix(keyPrefix);
        _backoff = backoff;
        _circuit = new RedisCircuit(redis, time);
        _fallback = new InProcessSignInFailures(backoff, time);
        _logger = logger;
    }

    public async ValueTask<SignInRecord> GetAsync(string userId, CancellationToken cancellationToken)
    {
        if (_circuit.ShouldTry)
        {
            try
            {
                var result = (RedisResult[])(await _db.ScriptEvaluateAsync(RedisRateLimitScripts.ReadSignIn, [userId]).ConfigureAwait(false))!;
                return new SignInRecord((long)result[0], TimeSpan.FromMilliseconds((long)result[1]));
            }
            catch (Exception e) when (RedisCircuit.IsRedisFailure(e))
            {
                Failed(e);
            }
        }

        return await _fallback.GetAsync(userId, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<TimeSpan> RecordFailureAsync(string userId, CancellationToken cancellationToken)
    {
        if (_circuit.ShouldTry)
        {
            try
            {
                var delay = (long)(await _db.ScriptEvaluateAsync(
                    RedisRateLimitScripts.RecordSignInFailure,
                    [userId],
                    [_backoff.FreeFailures, (long)_backoff.BaseDelay.TotalMilliseconds, (long)_backoff.MaxDelay.TotalMilliseconds, (long)_backoff.Memory.TotalMilliseconds]).ConfigureAwait(false));
                return TimeSpan.FromMilliseconds(delay);
            }
            catch (Exception e) when (RedisCircuit.IsRedisFailure(e))
            {
                Failed(e);
            }
        }

        return await _fallback.RecordFailureAsync(userId, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask ResetAsync(string userId, CancellationToken cancellationToken)
    {
        await _fallback.ResetAsync(userId, cancellationToken).ConfigureAwait(false);
        if (_circuit.ShouldTry)
        {
            try
            {
                await _db.KeyDeleteAsync(userId).ConfigureAwait(false);
            }
            catch (Exception e) when (RedisCircuit.IsRedisFailure(e))
            {
                Failed(e);
            }
        }
    }

    private void Failed(Exception e)
    {
        if (_circuit.Failed())
        {
            LogFallback(_logger, e);
        }
    }

    [LoggerMessage(EventId = 621, Level = LogLevel.Warning, Message = "Sign-in throttling falls back to this node's own counts while Redis is unreachable")]
    private static partial void LogFallback(ILogger logger, Exception exception);
}
