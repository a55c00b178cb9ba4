using Chat.Api.Presence;
using Chat.Domain.Contacts;
using Chat.Domain.Presence;
using Chat.Hubs.Presence;
using Chat.Infrastructure.Redis;
using Chat.Infrastructure.Storage;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Chat.Api.Contacts;

public static class ContactsExtensions
{
    /// <summary>Address book, presence privacy, presence (shared through Redis when configured) and typing.</summary>
    public static IHostApplicationBuilder AddChatContacts(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        AddOptions<ContactsOptions>(services, ContactsOptions.SectionName);
        AddOptions<PresenceOptions>(services, PresenceOptions.SectionName);
        AddOptions<TypingOptions>(services, TypingOptions.SectionName);

        services.AddChatContactStores(builder.Configuration);
        services.AddChatPresenceRegistry(builder.Configuration);
        services.AddSingleton<ContactService>();

        services.AddSingleton<PresenceMetrics>();
        services.AddSingleton<PresenceQueue>();
        services.AddSingleton<IPresenceNotifier, SignalRPresenceNotifier>();
        services.AddSingleton<PresenceService>();
        // Replaces the no-op tracker that AddChatMessaging adds with TryAdd: the last registration wins.
        services.AddSingleton<IPresenceTracker>(sp => sp.GetRequiredService<PresenceService>());
        services.AddSingleton<TypingRateLimiter>();
        services.AddSingleton<TypingService>();

        services.AddHostedService<PresenceFanout>();
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Redis")))
        {
            services.AddSingleton<PresenceHeartbeat>();
            services.AddHostedService(sp => sp.GetRequiredService<PresenceHeartbeat>());
        }

        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(PresenceMetrics.MeterName));
        return builder;
    }

    private static void AddOptions<T>(IServiceCollection services, string section)
        where T : class
    {
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
    }
}
