using Chat.Domain.Presence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Chat.Infrastructure.Redis;

public static class PresenceRegistryExtensions
{
    /// <summary>Presence shared through Redis when ConnectionStrings:Redis is set; otherwise kept in this process (one node).</summary>
    public static IServiceCollection AddChatPresenceRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis")))
        {
            services.AddSingleton<IPresenceRegistry, InMemoryPresenceRegistry>();
            return services;
        }

        // ChannelPrefix only covers pub/sub channels; keys get the same prefix by hand.
        var prefix = (configuration["Redis:ChannelPrefix"] ?? "chat") + ":presence:";
        services.AddSingleton(sp => new RedisPresenceRegistry(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            prefix,
            sp.GetRequiredService<PresenceOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RedisPresenceRegistry>>()));
        services.AddSingleton<IPresenceRegistry>(sp => sp.GetRequiredService<RedisPresenceRegistry>());
        return services;
    }
}
