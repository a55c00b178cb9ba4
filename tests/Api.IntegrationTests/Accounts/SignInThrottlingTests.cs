using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chat.IntegrationTests.Infrastructure;

namespace Chat.IntegrationTests.Accounts;

public sealed class SignInThrottlingTests : IAsyncLifetime
{
    private readonly ApiFactory _factory = new() { Settings = { ["SignInThrottling:PermitLimit"] = "3", ["SignInThrottling:Window"] = "00:10:00" } };

    public Task InitializeAsync() => _factory.InitializeAsync();

    public Task DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task Repeated_sign_in_attempts_from_one_address_are_refused_with_rate_limited()
    {
        using var client = _factory.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var attempt = await client.PostAsJsonAsync("/api/tokens", new { userId = "guessed-user", password = $"guess-{i}-password" });
            statuses.Add(attempt.StatusCode);
        }

        using var refused = await client.PostAsJsonAsync("/api/tokens", new { userId = "guessed-user", password = "one-more-guess" });
        using var registerToo = await client.PostAsJsonAsync("/api/accounts", new { userId = Ids.User("new"), password = "long-enough" });

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        using var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("rate_limited", body.RootElement.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, registerToo.StatusCode);
    }
}
