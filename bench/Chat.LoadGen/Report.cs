using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Chat.LoadGen;

public sealed record ReportConfig(
    string Url,
    string RunId,
    int Users,
    int Senders,
    double Rate,
    int InFlight,
    int DurationSeconds,
    int WarmupSeconds,
    int PayloadBytes,
    string Protocol,
    string Transport,
    int GroupSize,
    int Groups,
    double GroupShare,
    int AckEvery,
    int AckIntervalMs,
    bool NoAck,
    int ProcessorCount);

/// <summary>Sends started in the measured window, then the same over the whole run (warm-up included).</summary>
public sealed record SendCounts(
    long Attempted,
    long Acknowledged,
    long Failed,
    IReadOnlyDictionary<string, long> FailedByCode,
    long SkippedInFlightLimit,
    long TotalAttempted,
    long TotalAcknowledged,
    long TotalFailed,
    IReadOnlyDictionary<string, long> TotalFailedByCode,
    long Unfinished);

/// <summary>Counted over the whole run: every acknowledged send must reach every recipient (push or fetch).</summary>
public sealed record DeliveryCheck(
    long ExpectedDeliveries,
    long MessagesReceived,
    long Missing,
    long ReceivedWithoutAcknowledgedSend,
    long DuplicateMessages,
    long DuplicatePushes,
    long PushesAfterFetch,
    long ReceivedByGapFetch,
    long ReceivedByFinalFetch,
    long GapFetches,
    long DeliveredReceipts,
    long OtherEnvelopes,
    long AckCalls,
    IReadOnlyDictionary<string, long> ReceiverErrors,
    long Disconnects,
    long FinalFetchFailures);

public sealed record RunReport(
    DateTimeOffset StartedAt,
    ReportConfig Config,
    double SetupSeconds,
    double MeasuredSeconds,
    double SettleSeconds,
    SendCounts Sends,
    double AcknowledgedPerSecond,
    double DeliveredPerSecond,
    long ExpectedDeliveriesInWindow,
    long DeliveredInWindow,
    LatencySummary SendAckLatency,
    LatencySummary DeliveryLatency,
    DeliveryCheck Check,
    IReadOnlyDictionary<string, double> CpuCores,
    Verdict Verdict)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public string ToText()
    {
        var c = Config;
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));
        string Codes(IReadOnlyDictionary<string, long> codes) =>
            codes.Count == 0 ? "none" : string.Join(", ", codes.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}")));

        Line($"== Chat.LoadGen summary (run {c.RunId}, started {StartedAt:yyyy-MM-dd HH:mm:ss} UTC) ==");
        Line($"config      {c.Url}  users {c.Users}  senders {c.Senders}  rate {(c.Rate == 0 ? "max" : c.Rate.ToString(CultureInfo.InvariantCulture) + "/s")}  in flight {c.InFlight}/sender  payload {c.PayloadBytes} B  {c.Protocol}  {c.Transport}");
        Line($"            groups {(c.Groups == 0 ? "none" : string.Create(CultureInfo.InvariantCulture, $"{c.Groups} of {c.GroupSize}, share {c.GroupShare}"))}  {(c.NoAck ? "no acks" : string.Create(CultureInfo.InvariantCulture, $"ack every {c.AckEvery} envelopes or {c.AckIntervalMs} ms"))}  client cores {c.ProcessorCount}");
        Line($"duration    setup {SetupSeconds} s (not measured), warm-up {c.WarmupSeconds} s, measured {MeasuredSeconds} s, settle {SettleSeconds} s");
        Line($"sends       attempted {Sends.Attempted}  acknowledged {Sends.Acknowledged}  failed {Sends.Failed} ({Codes(Sends.FailedByCode)})  skipped (in-flight limit) {Sends.SkippedInFlightLimit}");
        Line($"            whole run: attempted {Sends.TotalAttempted}  acknowledged {Sends.TotalAcknowledged}  failed {Sends.TotalFailed} ({Codes(Sends.TotalFailedByCode)})  unfinished {Sends.Unfinished}");
        Line($"throughput  {AcknowledgedPerSecond:0.0} acknowledged sends/s, {DeliveredPerSecond:0.0} deliveries/s ({DeliveredInWindow} of {ExpectedDeliveriesInWindow} expected deliveries of measured sends arrived live)");
        Line($"send-ack    {SendAckLatency.Format()}");
        Line($"delivery    {DeliveryLatency.Format()}");
        Line($"check       expected {Check.ExpectedDeliveries}  received {Check.MessagesReceived}  MISSING {Check.Missing}  duplicate messages {Check.DuplicateMessages}  duplicate pushes {Check.DuplicatePushes}");
        Line($"            received without an acknowledged send {Check.ReceivedWithoutAcknowledgedSend}  by gap fetch {Check.ReceivedByGapFetch} ({Check.GapFetches} gap fetches)  by final fetch {Check.ReceivedByFinalFetch}  pushes after fetch {Check.PushesAfterFetch}");
        Line($"cpu         {string.Join("  ", CpuCores.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:0.00}")))} cores over the measured window");
        Line($"verdict     {(Verdict.Pass ? "PASS" : "FAIL")}{(Verdict.Failures.Count == 0 ? "" : ": " + string.Join("; ", Verdict.Failures))}");
        Line($"receivers   delivered receipts {Check.DeliveredReceipts}  other envelopes {Check.OtherEnvelopes}  acks {Check.AckCalls}  errors ({Codes(Check.ReceiverErrors)})  disconnects {Check.Disconnects}  final fetch failures {Check.FinalFetchFailures}");
        return text.ToString();
    }
}

/// <summary>The pass rules of a fixed-rate step (docs/BENCHMARKS.md); every failed rule is named.</summary>
public sealed record Verdict(bool Pass, IReadOnlyList<string> Failures)
{
    public static Verdict Of(ReportConfig config, double passRatio, double passP99Ms, double deliveredPerSecond, SendCounts sends, LatencySummary delivery, DeliveryCheck check)
    {
        var failures = new List<string>();
        void Rule(bool holds, FormattableString failure)
        {
            if (!holds)
            {
                failures.Add(failure.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (config.Rate > 0)
        {
            var expected = config.GroupSize > 0 ? 0 : config.Rate * passRatio;
            Rule(deliveredPerSecond >= expected, $"delivered {deliveredPerSecond:0}/s < {passRatio:P0} of {config.Rate:0}/s offered");
        }

        Rule(delivery.Count > 0 && delivery.P99Ms <= passP99Ms, $"delivery p99 {delivery.P99Ms:0} ms > {passP99Ms:0} ms");
        Rule(check.Missing == 0, $"{check.Missing} missing");
        Rule(check.DuplicateMessages == 0, $"{check.DuplicateMessages} duplicated");
        Rule(check.ReceivedWithoutAcknowledgedSend == 0, $"{check.ReceivedWithoutAcknowledgedSend} received without an acknowledged send");
        Rule(sends.Failed == 0, $"{sends.Failed} sends failed");
        Rule(check.ReceiverErrors.Count == 0 && check.FinalFetchFailures == 0, $"receiver errors");
        if (!config.NoAck && config.GroupSize == 0)
        {
            // Every acknowledged send must come back as a stored, pushed delivered receipt (receivers ack everything).
            Rule(check.DeliveredReceipts >= sends.TotalAcknowledged * passRatio, $"{check.DeliveredReceipts} delivered receipts for {sends.TotalAcknowledged} acknowledged sends");
        }

        return new Verdict(failures.Count == 0, failures);
    }
}
