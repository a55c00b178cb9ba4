using System.Globalization;

namespace Chat.LoadGen;

/// <summary>
/// A payload starts with the sender's Stopwatch timestamp as 16 hex digits, so a receiver on the same machine
/// computes the end-to-end latency; the rest is padding up to the requested size (ASCII: bytes = characters).
/// </summary>
public static class Payloads
{
    public const int StampLength = 16;

    public static string Create(long timestamp, int size) =>
        string.Create(Math.Max(size, StampLength), timestamp, static (span, stamp) =>
        {
            stamp.TryFormat(span, out _, "x16", CultureInfo.InvariantCulture);
            span[StampLength..].Fill('.');
        });

    public static bool TryReadStamp(string? payload, out long timestamp)
    {
        timestamp = 0;
        return payload is { Length: >= StampLength }
            && long.TryParse(payload.AsSpan(0, StampLength), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out timestamp);
    }
}
