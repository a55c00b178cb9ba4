namespace Chat.Infrastructure.Redis;

/// <summary>
/// Lua scripts for the shared rate limits. Time comes from Redis (TIME), so nodes with skewed clocks share one
/// bucket fairly. Keys expire once they would be back at their resting state: a missing key is a full bucket,
/// or an account without failures.
/// </summary>
internal static class RedisRateLimitScripts
{
    /// <summary>
    /// KEYS: the bucket. ARGV: rate in tokens per millisecond, capacity, tokens wanted.
    /// Returns { granted, milliseconds until one token is back (0 when granted) }.
    /// </summary>
    public const string TakeTokens = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local rate = tonumber(ARGV[1])
        local capacity = tonumber(ARGV[2])
        local wanted = tonumber(ARGV[3])
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1])
        local at = tonumber(state[2])
        if tokens == nil or at == nil then
          tokens = capacity
          at = now
        end
        if now > at then tokens = math.min(capacity, tokens + (now - at) * rate) end
        local granted = math.min(wanted, math.floor(tokens))
        tokens = tokens - granted
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(math.max(now, at)))
        redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 1000)
        local wait = 0
        if granted == 0 then wait = math.ceil((1 - tokens) / rate) end
        return { granted, wait }
        """;

    /// <summary>KEYS: the account's record. Returns { failures, milliseconds until the next attempt is checked }.</summary>
    public const string ReadSignIn = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local state = redis.call('HMGET', KEYS[1], 'failures', 'until')
        local failures = tonumber(state[1]) or 0
        local left = (tonumber(state[2]) or 0) - now
        if left < 0 then left = 0 end
        return { failures, left }
        """;

    /// <summary>
    /// KEYS: the account's record. ARGV: free failures, base delay ms, max delay ms, memory ms.
    /// Counts a failure; returns the milliseconds the next attempt must wait.
    /// </summary>
    public const string RecordSignInFailure = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
        local free = tonumber(ARGV[1])
        local delay = 0
        if failures > free then
          delay = math.min(tonumber(ARGV[3]), tonumber(ARGV[2]) * 2 ^ math.min(failures - free - 1, 40))
        end
        redis.call('HSET', KEYS[1], 'until', tostring(now + delay))
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return math.ceil(delay)
        """;
}
