using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chat.IntegrationTests.Infrastructure;

namespace Chat.IntegrationTests.Accounts;

/// <summary>
/// Failed sign-ins are limited per account, across nodes (Redis): after the free failures each further one makes
/// the next attempt wait, whatever address it comes from, while other accounts behind the same address go on.
/// </summary>
public sealed class AccountSignInThrottlingTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> Backoff = new()
    {
        ["SignInThrottling:AccountFreeFailures"] = "2",
        ["SignInThrottling:AccountBackoffBase"] = "00:10:00",
        ["SignInThrottling:AccountBackoffMax"] = "00:20:00",
    };

    private ApiFactory _nodeA = null!;
    private ApiFactory _nodeB = null!;

    public async Task InitializeAsync()
    {
        _nodeA = new ApiFactory { Settings = new Dictionary<string, string?>(Backoff) };
        await _nodeA.InitializeAsync();
        _nodeB = new ApiFactory { ConnectionString = _nodeA.ConnectionString, RedisPrefix = _nodeA.RedisPrefix, Settings = new Dictionary<string, string?>(Backoff) };
        await _nodeB.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _nodeB.DisposeAsync();
        await _nodeA.DisposeAsync();
    }

    [Fact]
    public async Task Failed_sign_ins_to_one_account_back_off_on_every_node_and_spare_other_accounts()
    {
        var victim = Ids.User("victim");
        var neighbour = Ids.User("neighbour");
        await _nodeA.RegisterAsync(victim);
        await _nodeA.RegisterAsync(neighbour);

        var free = new[]
        {
            await SignInAsync(_nodeA, victim, "wrong guess 1"),
            await SignInAsync(_nodeB, victim, "wrong guess 2"),
        };
        var third = await SignInAsync(_nodeA, victim, "wrong guess 3");
        using var lockedOnB = await PostSignInAsync(_nodeB, victim, "correct horse battery");
        var neighbourSignsIn = await SignInAsync(_nodeA, neighbour, "correct horse battery");

        Assert.All(free, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.Unauthorized, third);
        Assert.Equal(HttpStatusCode.TooManyRequests, lockedOnB.StatusCode);
        Assert.True(lockedOnB.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(9));
        using var body = JsonDocument.Parse(await lockedOnB.Content.ReadAsStringAsync());
        Assert.Equal("rate_limited", body.RootElement.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, neighbourSignsIn);
    }

    [Fact]
    public async Task An_unknown_account_backs_off_exactly_like_a_registered_one()
    {
        var ghost = Ids.User("ghost");
        var real = Ids.User("real");
        await _nodeA.RegisterAsync(real);

        var ghostStatuses = new List<HttpStatusCode>();
        var realStatuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            ghostStatuses.Add(await SignInAsync(_nodeA, ghost, $"wrong guess {i}"));
            realStatuses.Add(await SignInAsync(_nodeA, real, $"wrong guess {i}"));
        }

        Assert.Equal(realStatuses, ghostStatuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, ghostStatuses[^1]);
    }

    [Fact]
    public async Task A_successful_sign_in_forgets_earlier_failures()
    {
        var user = Ids.User("forgetful");
        await _nodeA.RegisterAsync(user);

        var first = await SignInAsync(_nodeA, user, "wrong guess 1");
        var second = await SignInAsync(_nodeB, user, "wrong guess 2");
        var success = await SignInAsync(_nodeA, user, "correct horse battery");
        var afterwards = new[]
        {
            await SignInAsync(_nodeB, user, "wrong guess 3"),
            await SignInAsync(_nodeA, user, "wrong guess 4"),
        };
        var stillFree = await SignInAsync(_nodeB, user, "correct horse battery");

        Assert.Equal(HttpStatusCode.Unauthorized, first);
        Assert.Equal(HttpStatusCode.Unauthorized, second);
        Assert.Equal(HttpStatusCode.OK, success);
        Assert.All(afterwards, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.OK, stillFree);
    }

    private static async Task<HttpStatusCode> SignInAsync(ApiFactory node, string userId, string password)
    {
        using var response = await PostSignInAsync(node, userId, password);
        return response.StatusCode;
    }

    private static async Task<HttpResponseMessage> PostSignInAsync(ApiFactory node, string userId, string password)
    {
        using var client = node.CreateClient();
        return await client.PostAsJsonAsync("/api/tokens", new { userId, password }).OrTimeout();
    }
}
