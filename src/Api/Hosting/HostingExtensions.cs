using Chat.Api.Observability;
using Chat.Infrastructure.Storage;
using Serilog;

namespace Chat.Api.Hosting;

public static class HostingExtensions
{
    /// <summary>Shared defaults: the root appsettings.json, Serilog from configuration, problem details, TimeProvider.</summary>
    public static IHostApplicationBuilder AddChatHosting(this WebApplicationBuilder builder)
    {
        // The repository-root appsettings.json is copied beside the binaries; load it before the environment files.
        var shared = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            Path = Path.Combine(AppContext.BaseDirectory, "appsettings.json"),
            Optional = false,
            ReloadOnChange = false,
        };
        shared.ResolveFileProvider(); // an absolute path needs its own file provider, not the content root's
        builder.Configuration.Sources.Insert(0, shared);
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        // preserveStaticLogger: the static logger stays the bootstrap one, so several hosts in one process
        // (integration tests, a second node) never race to freeze a shared logger.
        builder.Services.AddSerilog(
            (services, logger) => logger
                .ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Filter.With<ExpectedHubErrorFilter>()
                .Enrich.FromLogContext(),
            preserveStaticLogger: true);
        CachingLoggerFactory.Decorate(builder.Services);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ChatExceptionHandler>();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    public static WebApplication UseChatHosting(this WebApplication app)
    {
        // The host's own logger, not the static bootstrap one (kept static so several hosts can share a process).
        app.UseSerilogRequestLogging(options => options.Logger = app.Services.GetService<Serilog.ILogger>());
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>Applies migrations when configured; returns true when the host was started only to migrate ("migrate" argument).</summary>
    public static async Task<bool> RunMigrationsAsync(this WebApplication app, string[] args)
    {
        var migrateOnly = args.Contains("migrate", StringComparer.Ordinal);
        if (migrateOnly || app.Services.GetRequiredService<StorageOptions>().MigrateOnStartup)
        {
            await app.Services.GetRequiredService<IDatabaseMigrator>().MigrateAsync(app.Lifetime.ApplicationStopping);
        }

        return migrateOnly;
    }
}
