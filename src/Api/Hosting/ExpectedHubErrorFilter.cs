using Microsoft.AspNetCore.SignalR;
using Serilog.Core;
using Serilog.Events;

namespace Chat.Api.Hosting;

/// <summary>
/// Drops SignalR's own log events about a HubException: SignalR logs every exception a hub method or
/// OnConnectedAsync throws as an Error with a stack trace, but a HubException is the answer the client was meant
/// to get (not_found, invalid_request, rate_limited, …), not a fault of the server. ChatErrorHubFilter and the
/// hub log those answers themselves, as one line without a stack trace. Other exceptions keep their Error.
/// </summary>
public sealed class ExpectedHubErrorFilter : ILogEventFilter
{
    private const string SignalRCategory = "Microsoft.AspNetCore.SignalR.";

    public bool IsEnabled(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        if (logEvent.Exception is not HubException)
        {
            return true;
        }

        return !(logEvent.Properties.TryGetValue(Serilog.Core.Constants.SourceContextPropertyName, out var source)
            && source is ScalarValue { Value: string category }
            && category.StartsWith(SignalRCategory, StringComparison.Ordinal));
    }
}
