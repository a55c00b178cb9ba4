using Chat.Api.Auth;
using Chat.Api.Gate;
using Chat.Domain.RateLimits;

namespace Chat.Api.Throttling;

/// <summary>
/// Refuses a user's new hub sessions (negotiate, or a connect without a connection id) beyond
/// RateLimits:ConnectAttemptsPerMinute with 429 rate_limited and Retry-After, on whichever node they arrive:
/// a client stuck in a reconnect loop costs one refusal per attempt, not a session.
/// </summary>
public sealed partial class ConnectAttemptLimitMiddleware(RequestDelegate next, UserRateLimits limits, ILogger<ConnectAttemptLimitMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var userId = context.User.FindFirst(ChatClaims.Subject)?.Value;
        if (userId is null || !LoginGateMiddleware.IsNewSession(context))
        {
            await next(context);
            return;
        }

        var decision = await limits.TryConnectAttemptAsync(userId, context.RequestAborted);
        if (decision.Allowed)
        {
            await next(context);
            return;
        }

        LogRefused(logger, userId);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        await RateLimitedProblem.For(context, decision.RetryAfter, "too many new sessions for this user").ExecuteAsync(context);
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "New session of {UserId} refused: rate_limited")]
    private static partial void LogRefused(ILogger logger, string userId);
}
