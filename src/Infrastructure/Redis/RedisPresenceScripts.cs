namespace Chat.Infrastructure.Redis;

/// <summary>Lua scripts that change a user's and a node's hash together, atomically.</summary>
internal static class RedisPresenceScripts
{
    /// <summary>KEYS: user hash, node hash. ARGV: connection id, node id, user id. Returns 1 when this is the user's first connection.</summary>
    public const string Connect = """
        local added = redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
        if added == 1 and redis.call('HLEN', KEYS[1]) == 1 then return 1 end
        return 0
        """;

    /// <summary>KEYS: user hash, node hash. ARGV: connection id. Returns 1 when it was the user's last connection.</summary>
    public const string Disconnect = """
        local removed = redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[2], ARGV[1])
        if removed == 1 and redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
        return 0
        """;

    /// <summary>
    /// KEYS: user hashes. ARGV: the dead node id, then one connection id per key. Removes each connection that is
    /// still filed under the dead node and returns the (1-based) indexes of the users left without any.
    /// </summary>
    public const string Reap = """
        local offline = {}
        for i = 1, #KEYS do
          if redis.call('HGET', KEYS[i], ARGV[i + 1]) == ARGV[1] then
            redis.call('HDEL', KEYS[i], ARGV[i + 1])
            if redis.call('EXISTS', KEYS[i]) == 0 then offline[#offline + 1] = i end
          end
        end
        return offline
        """;
}
