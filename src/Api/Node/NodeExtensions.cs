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
        return builder;
    }

    public static IApplicationBuilder UseLoginGate(this IApplicationBuilder app) => app.UseMiddleware<LoginGateMiddleware>();
}
