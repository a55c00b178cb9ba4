using System.Diagnostics.Metrics;

namespace Chat.Domain.RateLimits;

/// <summary>Refusals by the per-user and per-address limits, on the meter "Chat.RateLimits", tagged by limit only (never by user).</summary>
public sealed class RateLimitMetrics
{
    public const string MeterName = "Chat.RateLimits";

    /// <summary>The values of the <c>limit</c> tag.</summary>
    public static readonly IReadOnlyList<string> Limits = [Send, ConnectAttempt, Connections, SignInAddress, SignInAccount];

    public const string Send = "send";
    public const string ConnectAttempt = "connect";
    public const string Connections = "connections";
    public const string SignInAddress = "sign_in_address";
    public const string SignInAccount = "sign_in_account";

    private readonly Counter<long> _refused;

    public RateLimitMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _refused = meter.CreateCounter<long>("chat.rate_limited", "{request}", "Requests refused by a rate limit, by limit.");
    }

    public void Refused(string limit) => _refused.Add(1, new KeyValuePair<string, object?>("limit", limit));

    /// <summary>Publishes every series at zero, so an alert on its rate works before the first refusal.</summary>
    public void SeedZeros()
    {
        foreach (var limit in Limits)
        {
            _refused.Add(0, new KeyValuePair<string, object?>("limit", limit));
        }
    }
}
