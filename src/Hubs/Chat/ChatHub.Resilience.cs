using Chat.Domain.Errors;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Chat.Hubs.Chat;

public sealed partial class ChatHub
{
    /// <summary>How long a connect waits on the backplane before going on without push.</summary>
    private static readonly TimeSpan BackplaneWait = TimeSpan.FromSeconds(2);

    private async Task BestEffortAsync(Func<Task> step, string what)
    {
        // No connection token here: at disconnect it is already cancelled, and the offline update must still run.
        try
        {
            await step().WaitAsync(BackplaneWait);
        }
        catch (Exception e)
        {
            LogDegraded(logger, e, what);
        }
    }

    /// <summary>
    /// Closes this connection when the user has more open than <c>RateLimits:MaxConnectionsPerUser</c> on all nodes.
    /// Two connections racing for the last place may both be refused (each counts the other): never too many.
    /// Without Redis to count on, the connection is let in.
    /// </summary>
    private async Task RefuseOverConnectionCapAsync()
    {
        long open;
        try
        {
            open = await presenceService.CountConnectionsAsync(CurrentUser, Context.ConnectionAborted).WaitAsync(BackplaneWait);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogDegraded(logger, e, "the connection cap");
            return;
        }

        try
        {
            limits.CheckConnectionCount(open);
        }
        catch (ChatException refused)
        {
            // OnDisconnectedAsync does not run for a connection refused here: undo what OnConnectedAsync did.
            await BestEffortAsync(() => presenceService.DisconnectedAsync(CurrentUser, Context.ConnectionId, CancellationToken.None), "presence offline");
            LogConnectionRefused(logger, CurrentUser, open);
            throw new HubException(refused.Message);
        }
    }

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Connection of {UserId} refused: rate_limited, {Open} connections open")]
    private static partial void LogConnectionRefused(ILogger logger, string userId, long open);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Session continues without {Step}; the client will sync from the store")]
    private static partial void LogDegraded(ILogger logger, Exception exception, string step);
}
