using Chat.Api.Shutdown;
using Chat.Domain.Messaging;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Chat.Api.Health;

public static class HealthExtensions
{
    private const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddChatHealth(this IHostApplicationBuilder builder)
    {
        var checks = builder.Services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: [ReadyTag])
            .AddCheck<StoppingHealthCheck>("stopping", tags: [ReadyTag]);
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Redis")))
        {
            checks.AddCheck<RedisHealthCheck>("redis", tags: [ReadyTag]);
        }

        return builder;
    }

    /// <summary>
    /// /health/live answers while the process runs; /health/ready also checks the store (and Redis when configured),
    /// and answers 503 from the moment the node starts a graceful stop, so a load balancer sends no new clients.
    /// </summary>
    public static IEndpointRouteBuilder MapChatHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) }).AllowAnonymous();
        return app;
    }

    private sealed class StoreHealthCheck(IMailboxStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await store.PingAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e)
            {
                return HealthCheckResult.Unhealthy("store unreachable", e);
            }
        }
    }

    private sealed class StoppingHealthCheck(GracefulShutdown shutdown) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(shutdown.IsStopping ? HealthCheckResult.Unhealthy("shutting down") : HealthCheckResult.Healthy());
    }

    private sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await redis.GetDatabase().PingAsync();
                return HealthCheckResult.Healthy();
            }
            catch (Exception e)
            {
                return HealthCheckResult.Unhealthy("redis unreachable", e);
            }
        }
    }
}
