using System.Diagnostics.Metrics;

namespace Chat.Api.Push;

/// <summary>Meter "Chat.Push": what the push hook queued, shed, sent, retried, gave up and removed.</summary>
public sealed class PushMetrics
{
    public const string MeterName = "Chat.Push";

    private readonly Counter<long> _queued;
    private readonly Counter<long> _shed;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _skippedOnline;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _abandoned;
    private readonly Counter<long> _tokensRemoved;

    public PushMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _queued = meter.CreateCounter<long>("chat.push.queued", "{envelope}", "Stored envelopes handed to the push hook.");
        _shed = meter.CreateCounter<long>("chat.push.shed", "{wakeup}", "Wake-ups shed because the hook's queue was full (oldest first).");
        _sent = meter.CreateCounter<long>("chat.push.sent", "{wakeup}", "Wake-ups the gateway accepted.");
        _skippedOnline = meter.CreateCounter<long>("chat.push.skipped", "{wakeup}", "Wake-ups not sent: the device had a live session or no push token.");
        _failed = meter.CreateCounter<long>("chat.push.failed", "{wakeup}", "Wake-ups whose gateway call failed (each attempt).");
        _abandoned = meter.CreateCounter<long>("chat.push.abandoned", "{wakeup}", "Wake-ups given up after Push:MaxAttempts or refused by the gateway.");
        _tokensRemoved = meter.CreateCounter<long>("chat.push.tokens_removed", "{token}", "Push tokens removed because the gateway said they are dead.");
    }

    public void Queued(int count) => _queued.Add(count);

    public void Shed() => _shed.Add(1);

    public void Sent(int count) => _sent.Add(count);

    public void Skipped(int count) => _skippedOnline.Add(count);

    public void Failed(int count) => _failed.Add(count);

    public void Abandoned(int count) => _abandoned.Add(count);

    public void TokenRemoved() => _tokensRemoved.Add(1);

    /// <summary>Publishes every counter at zero, so an alert on its rate works before the first wake-up.</summary>
    public void SeedZeros()
    {
        foreach (var counter in new[] { _queued, _shed, _sent, _skippedOnline, _failed, _abandoned, _tokensRemoved })
        {
            counter.Add(0);
        }
    }
}
