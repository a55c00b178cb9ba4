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

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Session continues without {Step}; the client will sync from the store")]
    private static partial void LogDegraded(ILogger logger, Exception exception, string step);
}
