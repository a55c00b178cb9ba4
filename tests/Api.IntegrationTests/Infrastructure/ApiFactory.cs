using System.Net.Http.Json;
using Chat.Domain.Errors;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Chat.IntegrationTests.Infrastructure;

/// <summary>
/// The real host on a real PostgreSQL database and the real Redis backplane. Each factory gets its own
/// database and channel prefix unless told to share one (to model a restart or a second node).
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string SigningKey = "dGVzdC1zaWduaW5nLWtleS1vZi1hdC1sZWFzdC0zMi1ieXRlcyE=";
    public const string AdminApiKey = "test-admin-key";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "chat-tests", Guid.NewGuid().ToString("N"));

    /// <summary>An existing database to share (a restart or a second node); a fresh one is created when empty.</summary>
    public string ConnectionString { get; set; } = "";

    public string RedisPrefix { get; init; } = "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Extra configuration, overriding the test defaults.</summary>
    public IDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Run on the embedded default: SQLite in a temporary data folder, no PostgreSQL, no Redis.</summary>
    public bool Embedded { get; init; }

    /// <summary>Extra service registrations (a log sink, say), applied after the host's own.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>When set, replaces the host's clock.</summary>
    public FakeTimeProvider? Time { get; init; }

    public async Task InitializeAsync()
    {
        if (ConnectionString.Length == 0 && !Embedded)
        {
            ConnectionString = await TestServers.CreateDatabaseAsync("chat");
        }

        _ = Server; // start the host now, so migrations run before the first test
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = Embedded ? "" : ConnectionString,
            ["ConnectionStrings:Redis"] = Embedded ? "" : TestServers.Redis,
            ["Redis:ChannelPrefix"] = RedisPrefix,
            ["Storage:DataDirectory"] = _dataDirectory,
            ["Auth:SigningKey"] = SigningKey,
            ["Auth:AdminApiKey"] = AdminApiKey,
            ["Auth:Admins:0"] = "root-admin",
            ["Serilog:MinimumLevel:Default"] = "Warning",
            // Every test client shares one address; the throttling test sets its own limit.
            ["SignInThrottling:PermitLimit"] = "1000000",
        };
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(settings));
        if (ConfigureServices is not null)
        {
            builder.ConfigureServices(ConfigureServices);
        }

        if (Time is not null)
        {
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time)));
        }

        return base.CreateHost(builder);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseEnvironment("Testing");

    public async Task RegisterAsync(string userId, string password = "correct horse battery")
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/api/accounts", new { userId, password });
        Assert.True(response.IsSuccessStatusCode, $"registering {userId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<string> TokenAsync(string userId, string password = "correct horse battery")
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/api/tokens", new { userId, password });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<TokenBody>();
        return body!.AccessToken;
    }

    /// <summary>Registers (when needed), signs in through the token endpoint and connects a real SignalR client.</summary>
    public async Task<ChatClient> ConnectAsync(string userId, bool register = true, bool messagePack = false)
    {
        if (register)
        {
            await RegisterAsync(userId);
        }

        return await ConnectWithTokenAsync(userId, await TokenAsync(userId), messagePack);
    }

    /// <summary>Signs in for one device: an existing one (<paramref name="deviceId"/>), a new one (<paramref name="deviceName"/>), or the primary.</summary>
    public async Task<(string Token, int DeviceId)> SignInDeviceAsync(string userId, int? deviceId = null, string? deviceName = null, string password = "correct horse battery")
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/api/tokens", new { userId, password, deviceId, deviceName });
        Assert.True(response.IsSuccessStatusCode, $"signing in {userId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var body = await response.Content.ReadFromJsonAsync<TokenBody>();
        return (body!.AccessToken, body.DeviceId);
    }

    /// <summary>Links a new device of an existing user and connects it.</summary>
    public async Task<ChatClient> ConnectNewDeviceAsync(string userId, string deviceName = "laptop")
    {
        var (token, deviceId) = await SignInDeviceAsync(userId, deviceName: deviceName);
        var client = await ConnectWithTokenAsync(userId, token);
        client.DeviceId = deviceId;
        client.Token = token;
        return client;
    }

    public async Task<ChatClient> ConnectWithTokenAsync(string userId, string token, bool messagePack = false)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(Server.BaseAddress, "/hubs/chat"), options =>
            {
                options.Transports = HttpTransportType.LongPolling;
                options.HttpMessageHandlerFactory = _ => Server.CreateHandler();
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
            });
        if (messagePack)
        {
            builder.AddMessagePackProtocol();
        }

        var connection = builder.Build();
        var client = new ChatClient(userId, connection) { Token = token };
        await connection.StartAsync().OrTimeout();
        return client;
    }

    /// <summary>An HTTP client that sends <paramref name="token"/> as its bearer token.</summary>
    public HttpClient CreateClient(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private sealed record TokenBody(string AccessToken, DateTimeOffset ExpiresAt, int DeviceId);
}
