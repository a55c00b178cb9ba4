using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.SignalR;

namespace Chat.LoadGen;

/// <summary>A thread-safe counter.</summary>
public sealed class Counter
{
    private long _value;

    public long Value => Volatile.Read(ref _value);

    public void Increment() => Interlocked.Increment(ref _value);

    public void Add(long amount) => Interlocked.Add(ref _value, amount);
}

/// <summary>Failures counted by error code.</summary>
public sealed class ErrorCounts
{
    private readonly ConcurrentDictionary<string, long> _byCode = new(StringComparer.Ordinal);

    public long Total => _byCode.Values.Sum();

    public void Add(string code) => _byCode.AddOrUpdate(code, 1, (_, n) => n + 1);

    public IReadOnlyDictionary<string, long> Snapshot() =>
        new SortedDictionary<string, long>(_byCode.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>
    /// The stable code of a failed hub call: the text after the last "HubException: ", up to the first ':'
    /// (docs/PROTOCOL.md, Errors). Failures without a code are named after the exception type.
    /// </summary>
    public static string CodeOf(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is HubException)
        {
            var text = exception.Message;
            var marker = text.LastIndexOf("HubException: ", StringComparison.Ordinal);
            if (marker >= 0)
            {
                text = text[(marker + "HubException: ".Length)..];
            }

            var colon = text.IndexOf(':', StringComparison.Ordinal);
            var code = colon > 0 ? text[..colon] : "";
            return code.Length > 0 && code.All(c => c is (>= 'a' and <= 'z') or '_') ? code : "unexpected (no code)";
        }

        return exception switch
        {
            OperationCanceledException => "cancelled (client)",
            InvalidOperationException => "connection not active",
            _ => exception.GetType().Name,
        };
    }
}

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record LatencySummary(long Count, double MeanMs, double P50Ms, double P90Ms, double P99Ms, double MaxMs)
{
    public string Format() => Count == 0
        ? "no samples"
        : string.Create(CultureInfo.InvariantCulture, $"p50 {P50Ms:0.0} ms, p90 {P90Ms:0.0} ms, p99 {P99Ms:0.0} ms, max {MaxMs:0.0} ms (mean {MeanMs:0.0} ms, {Count} samples)");
}

/// <summary>Records every sample (in Stopwatch ticks) and sorts them once at the end; runs are short enough.</summary>
public sealed class LatencyRecorder
{
    private readonly Lock _gate = new();
    private readonly List<long> _ticks = new(capacity: 1 << 16);

    public void Record(long stopwatchTicks)
    {
        lock (_gate)
        {
            _ticks.Add(stopwatchTicks);
        }
    }

    public LatencySummary Summarize()
    {
        long[] sorted;
        lock (_gate)
        {
            sorted = [.. _ticks];
        }

        if (sorted.Length == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0);
        }

        Array.Sort(sorted);
        double Ms(long ticks) => Math.Round(ticks * 1000.0 / Stopwatch.Frequency, 2);
        long At(double quantile) => sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencySummary(
            sorted.Length,
            Math.Round(sorted.Average(t => t * 1000.0 / Stopwatch.Frequency), 2),
            Ms(At(0.50)),
            Ms(At(0.90)),
            Ms(At(0.99)),
            Ms(sorted[^1]));
    }
}

/// <summary>Everything one run counts, shared by all clients.</summary>
public sealed class RunStats
{
    private long _windowStart = long.MaxValue;
    private long _windowEnd = long.MaxValue;

    public LatencyRecorder SendAck { get; } = new();

    public LatencyRecorder Delivery { get; } = new();

    /// <summary>Failed sends started inside the measured window, by code.</summary>
    public ErrorCounts SendErrors { get; } = new();

    /// <summary>Failed sends over the whole run (warm-up included), by code.</summary>
    public ErrorCounts AllSendErrors { get; } = new();

    /// <summary>Failed Ack and FetchPending calls, by code.</summary>
    public ErrorCounts ReceiverErrors { get; } = new();

    public Counter Attempted { get; } = new();

    public Counter Acknowledged { get; } = new();

    public Counter Skipped { get; } = new();

    public Counter TotalAttempted { get; } = new();

    public Counter TotalAcknowledged { get; } = new();

    public Counter Unfinished { get; } = new();

    public Counter ExpectedDeliveriesInWindow { get; } = new();

    public Counter DeliveredInWindow { get; } = new();

    public Counter MessagesReceived { get; } = new();

    public Counter ViaGapFetch { get; } = new();

    public Counter ViaFinalFetch { get; } = new();

    public Counter DuplicatePushes { get; } = new();

    public Counter PushesAfterFetch { get; } = new();

    public Counter DuplicateMessages { get; } = new();

    public Counter Receipts { get; } = new();

    public Counter OtherKinds { get; } = new();

    public Counter GapFetches { get; } = new();

    public Counter AckCalls { get; } = new();

    public Counter Disconnects { get; } = new();

    public void OpenWindow(long start, long end)
    {
        Volatile.Write(ref _windowEnd, end);
        Volatile.Write(ref _windowStart, start);
    }

    /// <summary>Whether a Stopwatch timestamp falls in the measured window.</summary>
    public bool InWindow(long timestamp) => timestamp >= Volatile.Read(ref _windowStart) && timestamp < Volatile.Read(ref _windowEnd);
}
