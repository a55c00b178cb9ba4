using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;

namespace Chat.BrowserTests.Infrastructure;

/// <summary>
/// The real host listening on a free loopback port through Kestrel (a browser needs a socket), on the test
/// PostgreSQL and Redis. Give two factories the same database and Redis prefix to run two nodes.
/// </summary>
public sealed class KestrelApiFactory : WebApplicationFactory<Program>
{
    public const string SigningKey = "YnJvd3Nlci10ZXN0LXNpZ25pbmcta2V5LW9mLTMyLWJ5dGVzIQ==";
    public const string AdminApiKey = "browser-test-admin-key";
    public const string AdminUser = "root-admin";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "chat-browser-tests", Guid.NewGuid().ToString("N"));

    public KestrelApiFactory(string connectionString, string redisPrefix)
    {
        ConnectionString = connectionString;
        RedisPrefix = redisPrefix;
        UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
    }

    public string ConnectionString { get; }

    public string RedisPrefix { get; }

    /// <summary>The address Kestrel listens on, e.g. http://127.0.0.1:41234.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<KestrelApiFactory> StartAsync(string? connectionString = null, string? redisPrefix = null)
    {
        var factory = new KestrelApiFactory(
            connectionString ?? await TestServers.CreateDatabaseAsync("browser"),
            redisPrefix ?? "b" + Guid.NewGuid().ToString("N")[..12]);
        factory.StartServer();
        var addresses = factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        factory.BaseAddress = new Uri(addresses.First());
        return factory;
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = ConnectionString,
            ["ConnectionStrings:Redis"] = TestServers.Redis,
            ["Redis:ChannelPrefix"] = RedisPrefix,
            ["Storage:DataDirectory"] = _dataDirectory,
            ["Auth:SigningKey"] = SigningKey,
            ["Auth:AdminApiKey"] = AdminApiKey,
            ["Auth:Admins:0"] = AdminUser,
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["SignInThrottling:PermitLimit"] = "1000000",
            // Refused clients retry after a second, so a test that reopens the gate does not wait ten.
            ["LoginGate:RetryAfter"] = "00:00:01",
        };
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(settings));
        return base.CreateHost(builder);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseEnvironment("Testing");

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
