using System.Globalization;
using System.Text.RegularExpressions;
using Chat.IntegrationTests.Infrastructure;

namespace Chat.IntegrationTests.RateLimits;

/// <summary>Reads one series of the Prometheus text at /metrics.</summary>
public static partial class MetricsScrape
{
    public static async Task<string> TextAsync(ApiFactory node)
    {
        using var client = node.CreateClient();
        return await client.GetStringAsync("/metrics").OrTimeout();
    }

    /// <summary>The value of <c>chat_rate_limited_total{limit="…"}</c>, 0 when the series is absent.</summary>
    public static async Task<double> RateLimitedAsync(ApiFactory node, string limit)
    {
        var text = await TextAsync(node);
        var match = Regex.Match(text, $@"^chat_rate_limited_total\{{[^}}]*limit=""{Regex.Escape(limit)}""[^}}]*\}} (\S+)", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }
}
