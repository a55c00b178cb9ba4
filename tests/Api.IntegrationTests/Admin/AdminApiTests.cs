using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Chat.IntegrationTests.Infrastructure;

namespace Chat.IntegrationTests.Admin;

public sealed class AdminApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("/admin/backlog")]
    [InlineData("/admin/node")]
    [InlineData("/admin/gate")]
    [InlineData("/admin/users/someone")]
    public async Task Admin_endpoints_need_credentials_and_the_admin_role(string path)
    {
        using var anonymous = factory.CreateClient();
        using var user = await ClientForAsync(Ids.User("plain"));
        using var wrongKey = factory.CreateClient();
        wrongKey.DefaultRequestHeaders.Add("X-Admin-Key", "not-the-key");

        using var noCredentials = await anonymous.GetAsync(path);
        using var asUser = await user.GetAsync(path);
        using var asWrongKey = await wrongKey.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, noCredentials.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asUser.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, asWrongKey.StatusCode);
    }

    [Fact]
    public async Task Admin_named_in_configuration_and_api_key_both_get_in()
    {
        using var admin = await ClientForAsync("root-admin");
        using var keyed = ApiKeyClient();

        using var viaToken = await admin.GetAsync("/admin/backlog");
        using var viaKey = await keyed.GetAsync("/admin/backlog");

        Assert.Equal(HttpStatusCode.OK, viaToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viaKey.StatusCode);
        using var body = JsonDocument.Parse(await viaKey.Content.ReadAsStringAsync());
        var mailbox = body.RootElement.GetProperty("pools").EnumerateArray().Single(p => p.GetProperty("pool").GetProperty("name").GetString() == "mailbox");
        Assert.True(mailbox.GetProperty("pool").GetProperty("workers").GetInt32() > 0);
        Assert.True(mailbox.GetProperty("pool").TryGetProperty("waitP99Milliseconds", out _));
        Assert.True(mailbox.GetProperty("pool").TryGetProperty("estimatedDrainSeconds", out _));
    }

    [Fact]
    public async Task User_stats_show_pending_count_and_oldest_age()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        var bobId = Ids.User("bob");
        await factory.RegisterAsync(bobId);
        await alice.SendAsync(bobId, "one");
        await alice.SendAsync(bobId, "two");
        using var keyed = ApiKeyClient();

        var stats = await keyed.GetFromJsonAsync<JsonElement>($"/admin/users/{bobId}");
        using var missing = await keyed.GetAsync($"/admin/users/{Ids.User("ghost")}");

        Assert.Equal(2, stats.GetProperty("pendingCount").GetInt64());
        Assert.True(stats.GetProperty("oldestPendingAgeSeconds").GetDouble() >= 0);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Node_endpoint_returns_the_samplers_recent_samples()
    {
        using var keyed = ApiKeyClient();
        var sampler = (Chat.Api.Node.NodeSampler)factory.Services.GetService(typeof(Chat.Api.Node.NodeSampler))!;
        sampler.SampleOnce();

        var node = await keyed.GetFromJsonAsync<JsonElement>("/admin/node");

        var sample = node.GetProperty("samples").EnumerateArray().Last();
        Assert.True(sample.GetProperty("threadCount").GetInt32() > 0);
        Assert.True(sample.TryGetProperty("totalQueued", out _));
        Assert.True(sample.TryGetProperty("gcPauseMillisecondsTotal", out _));
    }

    [Fact]
    public async Task Metrics_endpoint_serves_prometheus_text_with_pool_and_runtime_metrics()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await alice.SendAsync(alice.UserId, "to myself");
        using var client = factory.CreateClient();

        var text = await client.GetStringAsync("/metrics");

        Assert.Contains("chat_pool_enqueued", text, StringComparison.Ordinal);
        Assert.Contains("chat_pool_queue_length", text, StringComparison.Ordinal);
        Assert.Contains("chat_messages_sent", text, StringComparison.Ordinal);
        Assert.Contains("chat_node_backlog", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_document_describes_public_and_admin_endpoints()
    {
        using var client = factory.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/accounts", paths);
        Assert.Contains("/api/tokens", paths);
        Assert.Contains("/admin/backlog", paths);
        Assert.Contains("/admin/gate", paths);
        Assert.Contains("/admin/users/{userId}", paths);
    }

    private HttpClient ApiKeyClient()
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", ApiFactory.AdminApiKey);
        return client;
    }

    private async Task<HttpClient> ClientForAsync(string userId)
    {
        try
        {
            await factory.RegisterAsync(userId);
        }
        catch (Xunit.Sdk.XunitException) when (userId == "root-admin")
        {
            // Registered by an earlier test of this class.
        }

        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await factory.TokenAsync(userId));
        return client;
    }
}
