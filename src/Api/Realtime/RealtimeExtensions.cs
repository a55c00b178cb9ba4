using Chat.Hubs.Chat;
using Microsoft.AspNetCore.SignalR;
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
                options.MaximumReceiveMessageSize = 128 * 1024;
                options.AddFilter<ChatErrorHubFilter>(); // outermost: maps what the filters below throw
                options.AddFilter<TokenExpiryHubFilter>();
            })
            .AddMessagePackProtocol();

        var redis = builder.Configuration.GetConnectionString("Redis");
        if (!string.IsNullOrWhiteSpace(redis))
        {
            var configuration = ConfigurationOptions.Parse(redis);
            configuration.AbortOnConnectFail = false; // start even when Redis is down; delivery falls back to sync
            configuration.ChannelPrefix = RedisChannel.Literal(builder.Configuration["Redis:ChannelPrefix"] ?? "chat");
            // The backplane keeps its own multiplexer; this one serves health checks and shared node state.
            builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(configuration));
            signalR.AddStackExchangeRedis(options => options.Configuration = configuration);
        }

        return builder;
    }
}
