using Chat.Domain.Accounts;
using Chat.Domain.RateLimits;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Chat.Infrastructure.Redis;

public static class RateLimitStoreExtensions
{
    /// <summary>
    /// Token buckets and failed sign-in counts in Redis when ConnectionStrings:Redis is set, so the limits hold
    /// across nodes; otherwise in this process (one node). Needs a <see cref="SignInBackoff"/> registered.
    /// </summary>
    public static IServiceCollection AddChatRateLimitStores(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis")))
        {
            services.AddSingleton<ISharedTokenBuckets, InProcessTokenBuckets>();
            services.AddSingleton<ISignInFailures>(sp => new InProcessSignInFailures(sp.GetRequiredService<SignInBackoff>(), sp.GetRequiredService<TimeProvider>()));
            return services;
        }

        // Keys get the channel prefix by hand, as presence keys do.
        var prefix = (configuration["Redis:ChannelPrefix"] ?? "chat") + ":";
        services.AddSingleton<ISharedTokenBuckets>(sp => new RedisTokenBuckets(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            prefix + "rate:",
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RedisTokenBuckets>>()));
        services.AddSingleton<ISignInFailures>(sp => new RedisSignInFailures(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            prefix + "signin:",
            sp.GetRequiredService<SignInBackoff>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RedisSignInFailures>>()));
        return services;
    }
}
