using System.Data.Common;
using System.Globalization;
using Chat.Api.Accounts;
using Chat.Domain.Errors;
using Microsoft.AspNetCore.Diagnostics;

namespace Chat.Api.Hosting;

/// <summary>
/// Last line for REST endpoints: server-side conditions become problem bodies with their stable code instead
/// of a bare 500. Overloaded answers 503 with Retry-After; a store outage answers 503 unavailable; a store error
/// caused by the request's own data answers its client code (400, 404, 409).
/// </summary>
public sealed partial class ChatExceptionHandler(IStoreErrorClassifier storeErrors, ILogger<ChatExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var error = exception switch
        {
            ChatException chat => chat,
            _ when storeErrors.ClientErrorOf(exception) is { } clientError => clientError,
            DbException or TimeoutException => ChatException.Unavailable("the store is unavailable; retry later."),
            _ => null,
        };
        if (error is null)
        {
            return false;
        }

        if (error.Code == ChatErrorCode.Unavailable)
        {
            LogUnavailable(logger, exception, httpContext.Request.Path);
        }

        var status = ChatExceptionResults.StatusOf(error.Code);
        if (error.RetryAfter is { } retryAfter)
        {
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        httpContext.Response.StatusCode = status;
        await ApiProblems.Of(error.Code, status, error.Message[(error.Code.ToWire().Length + 2)..]).ExecuteAsync(httpContext);
        return true;
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Store unavailable while serving {Path}")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string path);
}
