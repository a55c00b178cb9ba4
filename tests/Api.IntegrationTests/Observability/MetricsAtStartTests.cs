using System.Text.RegularExpressions;
using Chat.IntegrationTests.Infrastructure;
using Chat.IntegrationTests.RateLimits;

namespace Chat.IntegrationTests.Observability;

/// <summary>
/// Every counter and gauge that docs/OPERATIONS.md lists is on the first scrape of a fresh node, before anything
/// happened, so an alert on its rate works before the first incident. The list comes from the document itself:
/// a metric documented but not exported fails here.
/// </summary>
public sealed partial class MetricsAtStartTests : IAsyncLifetime
{
    private readonly ApiFactory _factory = new();

    public Task InitializeAsync() => _factory.InitializeAsync();

    public Task DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task First_scrape_of_a_fresh_node_lists_every_documented_counter_and_gauge()
    {
        var documented = DocumentedMetrics();

        var scrape = await MetricsScrape.TextAsync(_factory);

        Assert.Contains("chat_pool_discarded_total", documented);
        Assert.Contains("chat_rate_limited_total", documented);
        var missing = documented.Where(name => !Regex.IsMatch(scrape, $@"^{Regex.Escape(name)}[{{ ]", RegexOptions.Multiline)).ToList();
        Assert.Empty(missing);
        // Every label value has its series. (Values may be above 0: test hosts share a process, and an exporter
        // also sees the other hosts' meters of the same name.)
        Assert.Matches(@"(?m)^chat_pool_discarded_total\{[^}]*reason=""full""[^}]*\} \d", scrape);
        Assert.Matches(@"(?m)^chat_pool_discarded_total\{[^}]*reason=""expired""[^}]*\} \d", scrape);
        Assert.All(["send", "connect", "connections", "sign_in_address", "sign_in_account"], limit =>
            Assert.Matches($@"(?m)^chat_rate_limited_total\{{[^}}]*limit=""{limit}""[^}}]*\}} \d", scrape));
    }

    /// <summary>
    /// The chat_* names in the metric tables of docs/OPERATIONS.md, without histograms (they appear with their
    /// first observation) and the gauges documented as absent while unknown.
    /// </summary>
    private static List<string> DocumentedMetrics()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Api.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        }

        return File.ReadLines(Path.Combine(root, "docs", "OPERATIONS.md"))
            .Select(line => MetricRow().Match(line))
            .Where(m => m.Success && m.Groups["type"].Value != "histogram" && !m.Groups["meaning"].Value.Contains("absent while unknown", StringComparison.Ordinal))
            .Select(m => m.Groups["name"].Value)
            .Distinct()
            .ToList();
    }

    [GeneratedRegex(@"^\| `(?<name>chat_[a-z_]+)` \| (?<type>[a-z]+) \| (?<meaning>.*)\|$")]
    private static partial Regex MetricRow();
}
