using System.Diagnostics.Metrics;

namespace Chat.Domain.Presence;

/// <summary>Presence and typing instruments on the meter "Chat.Presence". No user ids as tags.</summary>
public sealed class PresenceMetrics
{
    public const string MeterName = "Chat.Presence";

    private readonly Counter<long> _published;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _typing;
    private readonly Counter<long> _typingLimited;

    public PresenceMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _published = meter.CreateCounter<long>("chat.presence.published", "{change}", "Presence changes pushed to watchers.");
        _dropped = meter.CreateCounter<long>("chat.presence.dropped", "{change}", "Presence changes dropped because a fan-out queue was full.");
        _typing = meter.CreateCounter<long>("chat.typing.sent", "{notification}", "Typing notifications accepted.");
        _typingLimited = meter.CreateCounter<long>("chat.typing.rate_limited", "{notification}", "Typing notifications refused by the per-user rate limit.");
    }

    /// <summary>Publishes every counter at zero, so an alert on its rate works before the first event.</summary>
    public void SeedZeros()
    {
        _published.Add(0);
        _dropped.Add(0);
        _typing.Add(0);
        _typingLimited.Add(0);
    }

    public void ChangePublished() => _published.Add(1);

    public void ChangeDropped() => _dropped.Add(1);

    public void TypingSent() => _typing.Add(1);

    public void TypingRateLimited() => _typingLimited.Add(1);
}
