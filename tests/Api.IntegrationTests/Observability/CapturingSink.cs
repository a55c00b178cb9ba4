using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Chat.IntegrationTests.Observability;

/// <summary>Keeps every log event the host writes, for assertions on levels and shapes.</summary>
public sealed class CapturingSink : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => [.. _events];

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    public static string? SourceOf(LogEvent e) =>
        e.Properties.TryGetValue(Constants.SourceContextPropertyName, out var v) && v is ScalarValue { Value: string s } ? s : null;

    public static string? Scalar(LogEvent e, string property) =>
        e.Properties.TryGetValue(property, out var v) && v is ScalarValue scalar ? scalar.Value?.ToString() : null;
}
