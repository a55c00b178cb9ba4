using System.Net.Http.Json;
using System.Text.Json;
using Chat.Api.Node;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.IntegrationTests.Admin;

/// <summary>GET /admin/nodes: one row per node sharing Redis, from the node board every node posts to.</summary>
public sealed class NodesApiTests : IAsyncLifetime
{
    private readonly ApiFactory _nodeA = new();
    private ApiFactory _nodeB = null!;

    public async Task InitializeAsync()
    {
        await _nodeA.InitializeAsync();
        _nodeB = new ApiFactory { ConnectionString = _nodeA.ConnectionString, RedisPrefix = _nodeA.RedisPrefix };
        await _nodeB.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _nodeB.DisposeAsync();
        await _nodeA.DisposeAsync();
    }

    private static HttpClient Admin(ApiFactory node)
    {
        var client = node.CreateClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", ApiFactory.AdminApiKey);
        return client;
    }

    /// <summary>Samples and posts now, instead of waiting for the next tick of the background publisher.</summary>
    private static async Task<NodeStatus> PublishAsync(ApiFactory node)
    {
        node.Services.GetRequiredService<NodeSampler>().SampleOnce();
        var status = node.Services.GetRequiredService<NodeBoardPublisher>().Current()!;
        await node.Services.GetRequiredService<INodeBoard>().PublishAsync(status, CancellationToken.None);
        return status;
    }

    [Fact]
    public async Task Every_node_sharing_redis_is_listed_once_and_the_answering_node_is_marked()
    {
        var a = await PublishAsync(_nodeA);
        var b = await PublishAsync(_nodeB);
        using var client = Admin(_nodeA);

        var body = await client.GetFromJsonAsync<JsonElement>("/admin/nodes").OrTimeout();

        Assert.Equal("redis", body.GetProperty("board").GetString());
        var nodes = body.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(new[] { a.NodeId, b.NodeId }.Order(StringComparer.Ordinal), nodes.Select(n => n.GetProperty("nodeId").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(2, nodes.Count);
        Assert.Equal(a.NodeId, nodes.Single(n => n.GetProperty("self").GetBoolean()).GetProperty("nodeId").GetString());
        var other = nodes.Single(n => !n.GetProperty("self").GetBoolean());
        Assert.Equal("postgres", other.GetProperty("store").GetString());
        Assert.True(other.GetProperty("gate").GetProperty("open").GetBoolean());
        Assert.True(other.GetProperty("sample").TryGetProperty("totalQueued", out _));
        Assert.True(other.TryGetProperty("waitP99Milliseconds", out _));
        Assert.True(other.TryGetProperty("discardedTotal", out _));
    }

    [Fact]
    public async Task A_node_that_stopped_posting_drops_out_of_the_list()
    {
        var b = await PublishAsync(_nodeB);
        var stale = b with { NodeId = "gone-node", At = b.At - TimeSpan.FromSeconds(30) };
        await _nodeB.Services.GetRequiredService<INodeBoard>().PublishAsync(stale, CancellationToken.None);
        using var client = Admin(_nodeA);

        var body = await client.GetFromJsonAsync<JsonElement>("/admin/nodes").OrTimeout();

        var ids = body.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("nodeId").GetString()).ToList();
        Assert.Contains(b.NodeId, ids);
        Assert.DoesNotContain("gone-node", ids);
    }

    [Fact]
    public async Task Without_redis_the_node_lists_itself()
    {
        var embedded = new ApiFactory { Embedded = true };
        await embedded.InitializeAsync();
        JsonElement body;
        try
        {
            embedded.Services.GetRequiredService<NodeSampler>().SampleOnce();
            using var client = Admin(embedded);

            body = await client.GetFromJsonAsync<JsonElement>("/admin/nodes").OrTimeout();
        }
        finally
        {
            await embedded.DisposeAsync();
        }

        Assert.Equal("local", body.GetProperty("board").GetString());
        var node = Assert.Single(body.GetProperty("nodes").EnumerateArray());
        Assert.True(node.GetProperty("self").GetBoolean());
        Assert.Equal("sqlite", node.GetProperty("store").GetString());
    }
}
