using System.Data.Common;
using Chat.Domain.Errors;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Chat.Hubs.Chat;

/// <summary>
/// Turns expected failures into HubExceptions that carry the stable error code, and store outages into
/// "unavailable:". Each refusal is logged here as one line (method, code, user) without a stack trace, at a level
/// that says who must act: the client's own mistakes and limits at Information, shed load at Debug (the pool
/// logs it, throttled), faults of the server at Error. SignalR's own Error line for a HubException is dropped by
/// the host's log filter. Anything else is logged here and reaches the client as SignalR's generic error.
/// </summary>
public sealed partial class ChatErrorHubFilter(IStoreErrorClassifier storeErrors, ILogger<ChatErrorHubFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (ChatException e)
        {
            LogRefusal(invocationContext, e);
            throw new HubException(e.Message);
        }
        catch (Exception e) when (storeErrors.ClientErrorOf(e) is { } clientError)
        {
            LogRefusal(invocationContext, clientError);
            throw new HubException(clientError.Message);
        }
        catch (Exception e) when (IsStoreOutage(e))
        {
            LogStoreUnavailable(logger, e, invocationContext.HubMethodName);
            throw new HubException(ChatException.Unavailable("the message store is unavailable; retry later.").Message);
        }
        catch (Exception e) when (e is not HubException and not OperationCanceledException)
        {
            LogUnexpected(logger, e, invocationContext.HubMethodName);
            throw;
        }
    }

    private static bool IsStoreOutage(Exception e) => e is DbException or TimeoutException || e.InnerException is DbException or System.Net.Sockets.SocketException;

    private void LogRefusal(HubInvocationContext invocation, ChatException e)
    {
        var method = invocation.HubMethodName;
        var user = invocation.Context.UserIdentifier ?? "-";
        switch (e.Code)
        {
            case ChatErrorCode.Unavailable when e.InnerException is { } cause:
                LogStoreUnavailable(logger, cause, method);
                break;
            case ChatErrorCode.Unavailable:
                LogUnavailable(logger, method, user, e.Detail);
                break;
            case ChatErrorCode.Overloaded:
                LogShed(logger, method, user);
                break;
            default:
                LogClientError(logger, method, e.Code.ToWire(), user);
                break;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Store unavailable during {Method}")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception, string method);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Unexpected failure in hub method {Method}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Hub call {Method} refused: {Code} (user {UserId})")]
    private static partial void LogClientError(ILogger logger, string method, string code, string userId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Hub call {Method} refused: overloaded (user {UserId})")]
    private static partial void LogShed(ILogger logger, string method, string userId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Hub call {Method} failed: unavailable, {Detail} (user {UserId})")]
    private static partial void LogUnavailable(ILogger logger, string method, string userId, string detail);
}
