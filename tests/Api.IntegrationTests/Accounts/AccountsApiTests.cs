using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Chat.IntegrationTests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Chat.IntegrationTests.Accounts;

public sealed class AccountsApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Register_then_sign_in_returns_a_token_and_stores_only_a_hash()
    {
        var userId = Ids.User("dora");
        using var client = factory.CreateClient();

        using var created = await client.PostAsJsonAsync("/api/accounts", new { userId, password = "s3cret-pass" });
        using var signedIn = await client.PostAsJsonAsync("/api/tokens", new { userId, password = "s3cret-pass" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        using var body = JsonDocument.Parse(await signedIn.Content.ReadAsStringAsync());
        Assert.Equal(3, body.RootElement.GetProperty("accessToken").GetString()!.Split('.').Length);
        Assert.True(body.RootElement.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        var hash = await connection.QuerySingleAsync<string>("SELECT password_hash FROM accounts WHERE user_id = @userId", new { userId });
        Assert.DoesNotContain("s3cret-pass", hash, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_with_a_taken_id_is_a_conflict()
    {
        var userId = Ids.User("taken");
        using var client = factory.CreateClient();
        using var first = await client.PostAsJsonAsync("/api/accounts", new { userId, password = "password-1" });

        using var second = await client.PostAsJsonAsync("/api/accounts", new { userId, password = "password-2" });

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("""{"userId":"UPPER","password":"long-enough"}""")]
    [InlineData("""{"userId":"ab","password":"long-enough"}""")]
    [InlineData("""{"userId":"valid-id","password":"short"}""")]
    [InlineData("""{"userId":"valid-id"}""")]
    [InlineData("""{"userId":"has space","password":"long-enough"}""")]
    [InlineData("not json")]
    public async Task Register_with_bad_input_is_a_400_problem(string json)
    {
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/api/accounts", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Register_with_a_password_over_128_characters_is_rejected()
    {
        using var client = factory.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/accounts", new { userId = Ids.User("long"), password = new string('p', 129) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_request", body.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Sign_in_with_wrong_password_or_unknown_user_is_401()
    {
        var userId = Ids.User("erin");
        await factory.RegisterAsync(userId, "right-password");
        using var client = factory.CreateClient();

        using var wrong = await client.PostAsJsonAsync("/api/tokens", new { userId, password = "wrong-password" });
        using var unknown = await client.PostAsJsonAsync("/api/tokens", new { userId = Ids.User("nobody"), password = "right-password" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    [Fact]
    public async Task Hub_refuses_connections_without_a_valid_token()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(factory.Server.BaseAddress, "/hubs/chat"), options =>
            {
                options.Transports = HttpTransportType.LongPolling;
                options.HttpMessageHandlerFactory = _ => factory.Server.CreateHandler();
                options.AccessTokenProvider = () => Task.FromResult<string?>("not-a-token");
            })
            .Build();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync().OrTimeout());

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task Health_endpoints_report_live_and_ready()
    {
        using var client = factory.CreateClient();

        using var live = await client.GetAsync("/health/live");
        using var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }
}
