using Chat.Infrastructure.Storage;
using Serilog;

namespace Chat.Api.Hosting;

public static class HostingExtensions
{
    /// <summary>Shared defaults: the root appsettings.json, Serilog from configuration, problem details, TimeProvider.</summary>
    public static IHostApplicationBuilder AddChatHosting(this WebApplicationBuilder builder)
    {
        // The repository-root appsettings.json is copied beside the binaries; load it before the environment files.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            Path = Path.Combine(AppContext.BaseDirectory, "appsettings.json"),
            Optional = true,
            ReloadOnChange = false,
        });
        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext());
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    public static WebApplication UseChatHosting(this WebApplication app)
    {
        app.UseSerilogRequestLogging();
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
