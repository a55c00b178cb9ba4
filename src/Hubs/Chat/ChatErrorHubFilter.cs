using System.Data.Common;
using Chat.Domain.Errors;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Chat.Hubs.Chat;

/// <summary>
/// Turns expected failures into HubExceptions that carry the stable error code, and store outages into
/// "unavailable:". Anything else is logged here and reaches the client as SignalR's generic error.
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
            if (e is { Code: ChatErrorCode.Unavailable, InnerException: { } cause })
            {
                LogStoreUnavailable(logger, cause, invocationContext.HubMethodName);
            }

            throw new HubException(e.Message);
        }
        catch (Exception e) when (storeErrors.ClientErrorOf(e) is { } clientError)
        {
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

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Store unavailable during {Method}")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception, string method);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Unexpected failure in hub method {Method}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method);
}
