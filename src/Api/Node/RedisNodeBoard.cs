using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace Chat.Api.Node;

/// <summary>
/// The node board in one Redis hash, "{Redis:ChannelPrefix}:admin:nodes", node id → status JSON. A node that
/// stops publishing drops out of the list after <see cref="StaleAfter"/>, and out of the hash a minute later.
/// </summary>
public sealed class RedisNodeBoard(IConnectionMultiplexer redis, string channelPrefix, TimeProvider time, TimeSpan staleAfter) : INodeBoard
{
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(1);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly RedisKey _key = channelPrefix + ":admin:nodes";

    public string Kind => "redis";

    public Task PublishAsync(NodeStatus status, CancellationToken cancellationToken) =>
        redis.GetDatabase().HashSetAsync(_key, status.NodeId, JsonSerializer.Serialize(status, Json));

    public async Task<IReadOnlyList<NodeStatus>> ReadAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var now = time.GetUtcNow();
        var live = new List<NodeStatus>();
        foreach (var entry in await db.HashGetAllAsync(_key))
        {
            var status = Parse(entry.Value);
            if (status is null || now - status.At > ForgetAfter)
            {
                await db.HashDeleteAsync(_key, entry.Name);
            }
            else if (now - status.At <= staleAfter)
            {
                live.Add(status);
            }
        }

        return live;
    }

    private static NodeStatus? Parse(RedisValue value)
    {
        try
        {
            return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<NodeStatus>(value.ToString(), Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
