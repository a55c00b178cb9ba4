using Chat.Domain.Messaging;
using Chat.Hubs.Chat;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Realtime;

public static class RealtimeExtensions
{
    /// <summary>SignalR with the JSON and MessagePack protocols, and the Redis backplane when ConnectionStrings:Redis is set.</summary>
    public static IHostApplicationBuilder AddChatRealtime(this IHostApplicationBuilder builder)
    {
        var signalR = builder.Services
            .AddSignalR(options =>
            {
                options.EnableDetailedErrors = builder.Environment.IsDevelopment();
                options.AddFilter<ChatErrorHubFilter>(); // outermost: maps what the filters below throw
                options.AddFilter<TokenExpiryHubFilter>();
                options.AddFilter<OpenSessionsHubFilter>();
            })
            .AddMessagePackProtocol();

        // A frame must fit the largest payload in its worst JSON form: an escaped character takes up to six
        // bytes (\u0001) for one UTF-8 byte. MessagePack frames are smaller.
        builder.Services.AddOptions<HubOptions>()
            .Configure<IOptions<MessagingOptions>>((hub, messaging) => hub.MaximumReceiveMessageSize = (messaging.Value.MaxPayloadBytes * 6L) + (64 * 1024));

        UseStrictProtocols(builder.Services);
        builder.Services.AddSingleton<OpenSessions>();

        var redis = builder.Configuration.GetConnectionString("Redis");
        builder.Services.AddSingleton(new UserAddressing(viaUserChannel: !string.IsNullOrWhiteSpace(redis)));
        if (!string.IsNullOrWhiteSpace(redis))
        {
            var configuration = ConfigurationOptions.Parse(redis);
            configuration.AbortOnConnectFail = false; // start even when Redis is down; delivery falls back to sync
            configuration.ChannelPrefix = RedisChannel.Literal(builder.Configuration["Redis:ChannelPrefix"] ?? "chat");
            // The backplane keeps its own multiplexer; this one serves health checks and shared node state.
            builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(configuration));
            signalR.AddStackExchangeRedis(options => options.Configuration = configuration);
            builder.Services.AddSingleton<RedisHubLifetimeManager<ChatHub>>();
            var degradedLifetime = builder.Configuration.GetValue("Redis:DegradedSessionLifetime", TimeSpan.FromSeconds(60));
            builder.Services.AddSingleton<HubLifetimeManager<ChatHub>>(sp => new ResilientHubLifetimeManager<ChatHub>(
                sp.GetRequiredService<RedisHubLifetimeManager<ChatHub>>(),
                degradedLifetime,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ResilientHubLifetimeManager<ChatHub>>>()));
        }

        return builder;
    }

    /// <summary>Wraps every registered hub protocol in <see cref="StrictHubProtocol"/>.</summary>
    private static void UseStrictProtocols(IServiceCollection services)
    {
        var methodNames = StrictHubProtocol.MethodNamesOf<ChatHub>();
        var protocols = services.Where(d => d.ServiceType == typeof(IHubProtocol)).ToList();
        foreach (var descriptor in protocols)
        {
            var type = descriptor.ImplementationType
                ?? throw new InvalidOperationException($"hub protocol {descriptor} is not registered by type; wrap it by hand.");
            services.Remove(descriptor);
            services.AddSingleton<IHubProtocol>(sp => new StrictHubProtocol((IHubProtocol)ActivatorUtilities.CreateInstance(sp, type), methodNames));
        }
    }
}
