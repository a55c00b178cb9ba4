using System.Collections.Concurrent;
using Chat.Domain.Errors;
using Chat.Domain.Presence;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using StackExchange.Redis.KeyspaceIsolation;
using Keys = Chat.Infrastructure.Redis.RedisPresenceKeys;

namespace Chat.Infrastructure.Redis;

/// <summary>
/// Presence shared by every node through Redis. Each connection is filed twice: in its user's hash
/// (connection → node) and in its node's hash (connection → user). A node proves it is alive with a
/// heartbeat key that expires; any node that finds an expired one removes that node's connections from
/// the users' hashes (one node per dead node, under a SET NX lock), and the users left without a
/// connection are offline. A node that finds its own heartbeat gone (it was too slow, or Redis failed)
/// comes back under a new node id and files its live connections again, so the reaper of its old id
/// cannot take them.
/// </summary>
public sealed partial class RedisPresenceRegistry : IPresenceRegistry
{
    private const int BatchSize = 500;

    private readonly IDatabase _db;
    private readonly PresenceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisPresenceRegistry> _logger;

    // This node's open connections (connection id → user id): the truth it files again after losing its registration.
    private readonly ConcurrentDictionary<string, string> _local = new(StringComparer.Ordinal);
    private volatile string _nodeId = NewNodeId();
    private volatile bool _registered;
    private volatile bool _reregister;

    public RedisPresenceRegistry(IConnectionMultiplexer redis, string keyPrefix, PresenceOptions options, TimeProvider time, ILogger<RedisPresenceRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _db = redis.GetDatabase().WithKeyPrefix(keyPrefix);
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The id this node is registered under now; it changes when the node registers again.</summary>
    public string NodeId => _nodeId;

    public async Task<bool> AddConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken)
    {
        _local[connectionId] = userId;
        try
        {
            var nodeId = _nodeId;
            var first = await ConnectAsync(userId, connectionId, nodeId);
            // Registering again may have started meanwhile: file the connection under the new id too.
            if (_nodeId != nodeId)
            {
                first |= await ConnectAsync(userId, connectionId, _nodeId);
            }

            return first;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            // The connection must work without presence; the next heartbeat files it again.
            LogWriteFailed(_logger, e);
            _reregister = true;
            return false;
        }
    }

    public async Task<bool> RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken)
    {
        _local.TryRemove(connectionId, out _);
        try
        {
            var nodeId = _nodeId;
            var last = await DisconnectAsync(userId, connectionId, nodeId);
            if (_nodeId != nodeId)
            {
                last |= await DisconnectAsync(userId, connectionId, _nodeId);
            }

            return last;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            // Registering again under a new id leaves this connection behind, and reaping the old id removes it.
            LogWriteFailed(_logger, e);
            _reregister = true;
            return false;
        }
    }

    public async Task<long> CountConnectionsAsync(string userId, CancellationToken cancellationToken)
    {
        // Called on every connect: while Redis is away, say so at once rather than after the command timeout.
        if (!_db.Multiplexer.IsConnected)
        {
            throw ChatException.Unavailable("presence is unavailable; retry later.");
        }

        try
        {
            return await _db.HashLengthAsync(Keys.User(userId)).WaitAsync(cancellationToken);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw ChatException.Unavailable("presence is unavailable; retry later.", e);
        }
    }

    public async Task<IReadOnlySet<string>> GetOnlineAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        var online = new HashSet<string>(StringComparer.Ordinal);
        if (userIds.Count == 0)
        {
            return online;
        }

        var ids = userIds.ToArray();
        bool[] exists;
        try
        {
            // One pipelined EXISTS per user: the multiplexer sends them back to back.
            exists = await Task.WhenAll(ids.Select(id => _db.KeyExistsAsync(Keys.User(id)))).WaitAsync(cancellationToken);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw ChatException.Unavailable("presence is unavailable; retry later.", e);
        }

        for (var i = 0; i < ids.Length; i++)
        {
            if (exists[i])
            {
                online.Add(ids[i]);
            }
        }

        return online;
    }

    public async Task<IReadOnlyList<PresenceChange>> HeartbeatAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (!_reregister)
        {
            var nodeId = _nodeId;
            // After the first beat only refresh (XX): a missing key means this node was declared dead.
            if (await _db.StringSetAsync(Keys.Node(nodeId), now, _options.HeartbeatTtl, _registered ? When.Exists : When.Always))
            {
                _registered = true;
                await _db.SortedSetAddAsync(Keys.Nodes, nodeId, now);
                return [];
            }

            LogHeartbeatLost(_logger, nodeId);
        }

        return await RegisterAgainAsync(now);
    }

    public async Task<IReadOnlyList<PresenceChange>> ReapAsync(CancellationToken cancellationToken)
    {
        var changes = new List<PresenceChange>();
        foreach (var node in await _db.SortedSetRangeByRankWithScoresAsync(Keys.Nodes))
        {
            var deadId = node.Element.ToString();
            if (deadId == _nodeId || await _db.KeyExistsAsync(Keys.Node(deadId)))
            {
                continue;
            }

            // One node reaps each dead node. The lock expires, so a reaper that dies halfway is replaced; the work is idempotent.
            if (!await _db.StringSetAsync(Keys.ReapLock(deadId), _nodeId, _options.NodeTimeout, When.NotExists))
            {
                continue;
            }

            var offline = await ReapNodeAsync(deadId, cancellationToken);
            // The dead node's last heartbeat is the best estimate of when its users were last online.
            var lastSeen = DateTimeOffset.FromUnixTimeMilliseconds((long)node.Score);
            changes.AddRange(offline.Select(userId => new PresenceChange(userId, false, lastSeen)));
            LogReaped(_logger, deadId, offline.Count);
        }

        return changes;
    }

    private async Task<HashSet<string>> ReapNodeAsync(string deadId, CancellationToken cancellationToken)
    {
        var offline = new HashSet<string>(StringComparer.Ordinal);
        var batch = new List<HashEntry>(BatchSize);
        await foreach (var entry in _db.HashScanAsync(Keys.NodeConnections(deadId), pageSize: BatchSize).WithCancellation(cancellationToken))
        {
            batch.Add(entry);
            if (batch.Count == BatchSize)
            {
                await ReapBatchAsync(deadId, batch, offline);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await ReapBatchAsync(deadId, batch, offline);
        }

        await _db.KeyDeleteAsync(Keys.NodeConnections(deadId));
        await _db.SortedSetRemoveAsync(Keys.Nodes, deadId);
        await _db.KeyDeleteAsync(Keys.ReapLock(deadId));
        return offline;
    }

    private async Task ReapBatchAsync(string deadId, List<HashEntry> batch, HashSet<string> offline)
    {
        var keys = new RedisKey[batch.Count];
        var args = new RedisValue[batch.Count + 1];
        args[0] = deadId;
        for (var i = 0; i < batch.Count; i++)
        {
            keys[i] = Keys.User(batch[i].Value.ToString());
            args[i + 1] = batch[i].Name;
        }

        var result = await _db.ScriptEvaluateAsync(RedisPresenceScripts.Reap, keys, args);
        foreach (var index in (int[])result!)
        {
            offline.Add(batch[index - 1].Value.ToString());
        }
    }

    /// <summary>Takes a new node id, files every live connection under it and lets the old id be reaped.</summary>
    private async Task<IReadOnlyList<PresenceChange>> RegisterAgainAsync(long now)
    {
        var previous = _nodeId;
        var nodeId = NewNodeId();
        _reregister = false;
        _nodeId = nodeId;
        try
        {
            await _db.StringSetAsync(Keys.Node(nodeId), now, _options.HeartbeatTtl);
            await _db.SortedSetAddAsync(Keys.Nodes, nodeId, now);
            _registered = true;

            var at = DateTimeOffset.FromUnixTimeMilliseconds(now);
            var changes = new List<PresenceChange>();
            foreach (var batch in _local.ToArray().Chunk(BatchSize))
            {
                var results = await Task.WhenAll(batch.Select(c => RefileAsync(c.Value, c.Key, nodeId, at)));
                changes.AddRange(results.OfType<PresenceChange>());
            }

            // Connections closed while Redis failed are still filed under the old id: reapers remove them.
            await _db.SortedSetAddAsync(Keys.Nodes, previous, now, SortedSetWhen.NotExists);
            await _db.KeyDeleteAsync(Keys.Node(previous));
            LogRegisteredAgain(_logger, previous, nodeId, _local.Count);
            return changes;
        }
        catch
        {
            _reregister = true;
            throw;
        }
    }

    private async Task<PresenceChange?> RefileAsync(string userId, string connectionId, string nodeId, DateTimeOffset at)
    {
        var first = await ConnectAsync(userId, connectionId, nodeId);
        // Closed while it was being filed: take it out again.
        if (!_local.ContainsKey(connectionId))
        {
            return await DisconnectAsync(userId, connectionId, nodeId) ? new PresenceChange(userId, false, at) : null;
        }

        return first ? new PresenceChange(userId, true, at) : null;
    }

    private async Task<bool> ConnectAsync(string userId, string connectionId, string nodeId) =>
        (int)await _db.ScriptEvaluateAsync(
            RedisPresenceScripts.Connect,
            [Keys.User(userId), Keys.NodeConnections(nodeId)],
            [connectionId, nodeId, userId]) == 1;

    private async Task<bool> DisconnectAsync(string userId, string connectionId, string nodeId) =>
        (int)await _db.ScriptEvaluateAsync(
            RedisPresenceScripts.Disconnect,
            [Keys.User(userId), Keys.NodeConnections(nodeId)],
            [connectionId]) == 1;

    private static bool IsRedisFailure(Exception e) => e is RedisException or TimeoutException;

    private static string NewNodeId() => Guid.NewGuid().ToString("N");
}
