using Chat.Api.Push;
using Chat.Domain.Presence;
using Chat.Domain.RateLimits;
using Chat.Domain.Workers;
using Chat.Hubs.Chat;
using OpenTelemetry.Metrics;

namespace Chat.Api.Observability;

/// <summary>
/// Publishes every counter at zero when the host starts, so /metrics lists them from the first scrape and an alert
/// on a rate (discards, refusals, dropped pushes) works before the first incident. A measurement counts only once
/// a listener is attached, so this takes the meter provider first, which attaches the exporter.
/// </summary>
public sealed class MetricsSeeder(
    MeterProvider meterProvider,
    ChatMetrics hubs,
    WorkerPoolMetrics pools,
    PresenceMetrics presence,
    RateLimitMetrics rateLimits,
    PushMetrics push) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = meterProvider;
        hubs.SeedZeros();
        pools.SeedZeros();
        presence.SeedZeros();
        rateLimits.SeedZeros();
        push.SeedZeros();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
