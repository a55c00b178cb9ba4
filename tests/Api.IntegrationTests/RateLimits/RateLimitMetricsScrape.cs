using Chat.IntegrationTests.Infrastructure;

namespace Chat.IntegrationTests.RateLimits;

/// <summary>The Prometheus text at /metrics of one node.</summary>
public static class MetricsScrape
{
    public static async Task<string> TextAsync(ApiFactory node)
    {
        using var client = node.CreateClient();
        return await client.GetStringAsync("/metrics").OrTimeout();
    }
}
