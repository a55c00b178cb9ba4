using System.Globalization;
using Chat.Domain.Errors;
using Chat.Domain.Overload;
using Chat.Hubs.Chat;

namespace Chat.Api.Gate;

/// <summary>
/// Refuses new hub sessions with 503 and Retry-After while the login gate is closed. A new session is a
/// negotiate request, or a direct WebSocket connect without a connection id; requests of sessions that
/// already exist carry their id and pass, so connected users keep working.
/// </summary>
public sealed partial class LoginGateMiddleware(RequestDelegate next, LoginGate gate, ILogger<LoginGateMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (gate.IsOpen || !IsNewSession(context.Request))
        {
            return next(context);
        }

        LogRefused(logger);
        var retryAfter = (int)Math.Ceiling(gate.RetryAfter.TotalSeconds);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(
            detail: $"{ChatErrorCode.Overloaded.ToWire()}: the server is not admitting new sessions; retry after {retryAfter} s with jitter.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: ChatErrorCode.Overloaded.ToWire(),
            extensions: new Dictionary<string, object?> { ["code"] = ChatErrorCode.Overloaded.ToWire() })
            .ExecuteAsync(context);
    }

    private static bool IsNewSession(HttpRequest request) =>
        request.Path.StartsWithSegments(ChatHub.Path, out var rest)
        && (rest.Equals("/negotiate", StringComparison.OrdinalIgnoreCase) || (!rest.HasValue && !request.Query.ContainsKey("id")));

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "Login gate closed: new session refused")]
    private static partial void LogRefused(ILogger logger);
}
