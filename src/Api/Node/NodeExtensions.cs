using Chat.Api.Gate;
using Chat.Domain.Overload;
using Microsoft.Extensions.Options;

namespace Chat.Api.Node;

public static class NodeExtensions
{
    /// <summary>The node sampler and the login gate it feeds.</summary>
    public static IHostApplicationBuilder AddChatNode(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<NodeSamplerOptions>().BindConfiguration(NodeSamplerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LoginGateOptions>().BindConfiguration(LoginGateOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new LoginGate(sp.GetRequiredService<IOptions<LoginGateOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<NodeSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeSampler>());
        AddNodeBoard(builder);
        return builder;
    }

    /// <summary>The board behind /admin/nodes: nodes sharing a Redis post their status there every sample.</summary>
    private static void AddNodeBoard(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<NodeIdentity>();
        services.AddSingleton<NodeBoardPublisher>();
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Redis")))
        {
            services.AddSingleton<INodeBoard, LocalNodeBoard>();
            return;
        }

        var prefix = builder.Configuration["Redis:ChannelPrefix"] ?? "chat";
        services.AddSingleton<INodeBoard>(sp =>
        {
            var interval = sp.GetRequiredService<IOptions<NodeSamplerOptions>>().Value.Interval;
            var staleAfter = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(5).Ticks, interval.Ticks * 5));
            return new RedisNodeBoard(sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(), prefix, sp.GetRequiredService<TimeProvider>(), staleAfter);
        });
        services.AddHostedService(sp => sp.GetRequiredService<NodeBoardPublisher>());
    }

    public static IApplicationBuilder UseLoginGate(this IApplicationBuilder app) => app.UseMiddleware<LoginGateMiddleware>();
}
