using System.Globalization;
using Chat.Domain.Errors;
using Chat.Domain.Overload;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Primitives;

namespace Chat.Api.Gate;

/// <summary>
/// Refuses new hub sessions with 503 and Retry-After while the login gate is closed. A new session is a
/// negotiate request, or a connect request with no (or an empty) connection id, which SignalR treats as a new
/// connection; requests of sessions that already exist carry their id and pass, so connected users keep working.
/// Requests are recognised by the endpoint routing chose (after UseRouting), not by comparing paths, so every
/// spelling routing accepts (a trailing slash, another letter case) is gated the same way.
/// </summary>
public sealed partial class LoginGateMiddleware(RequestDelegate next, LoginGate gate, ILogger<LoginGateMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (gate.IsOpen || !IsNewSession(context))
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

    /// <summary>True for a request that would open a new hub session (also used by the per-user session limit).</summary>
    internal static bool IsNewSession(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<HubMetadata>() is null)
        {
            return false;
        }

        // An unknown id is answered 404 by SignalR itself, so only a missing or empty one can open a session.
        return metadata.GetMetadata<NegotiateMetadata>() is not null || StringValues.IsNullOrEmpty(context.Request.Query["id"]);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "Login gate closed: new session refused")]
    private static partial void LogRefused(ILogger logger);
}
