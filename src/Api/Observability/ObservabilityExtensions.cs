using Chat.Api.Node;
using Chat.Domain.Workers;
using Chat.Hubs.Chat;
using OpenTelemetry.Metrics;

namespace Chat.Api.Observability;

public static class ObservabilityExtensions
{
    /// <summary>Metrics for /metrics (Prometheus text): worker pools, the node sampler, hubs, ASP.NET Core, SignalR connections and the runtime.</summary>
    public static IHostApplicationBuilder AddChatObservability(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(WorkerPoolMetrics.MeterName, ChatMetrics.MeterName, NodeSampler.MeterName)
            .AddMeter("Microsoft.AspNetCore.Http.Connections", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Hosting")
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        builder.Services.AddHostedService<MetricsSeeder>();
        return builder;
    }

    public static IEndpointRouteBuilder MapChatMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
