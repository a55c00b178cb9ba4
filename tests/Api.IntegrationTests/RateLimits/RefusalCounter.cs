using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Chat.Domain.RateLimits;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.IntegrationTests.RateLimits;

/// <summary>
/// Counts one node's rate-limit refusals as its meter records them, by limit. Scrapes of /metrics are not exact in a
/// test process: every host's exporter also listens to the other hosts' meters of the same name, and one host's
/// shutdown can retire the merged series for the rest. Listening to the node's own meter factory only is exact.
/// </summary>
public sealed class RefusalCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _byLimit = new(StringComparer.Ordinal);

    public RefusalCounter(ApiFactory node)
    {
        var factory = node.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Meter.Name == RateLimitMetrics.MeterName && instrument.Name == "chat.rate_limited")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "limit", Value: string limit })
                {
                    _byLimit.AddOrUpdate(limit, value, (_, total) => total + value);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Refusals of <paramref name="limit"/> recorded since this counter started.</summary>
    public long Of(string limit) => _byLimit.GetValueOrDefault(limit);

    public void Dispose() => _listener.Dispose();
}
