using Chat.Domain.Errors;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Hubs.Chat;

/// <summary>
/// A connection outlives the token it was opened with; refuse calls once that token has expired so a
/// revoked or stolen session cannot go on forever. The client reconnects with a fresh token.
/// </summary>
public sealed class TokenExpiryHubFilter(TimeProvider timeProvider) : IHubFilter
{
    /// <summary>The token's expiry, in Unix seconds.</summary>
    public const string ExpiryClaim = "exp";

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var exp = invocationContext.Context.User?.FindFirst(ExpiryClaim)?.Value;
        if (exp is not null && long.TryParse(exp, out var seconds) && timeProvider.GetUtcNow().ToUnixTimeSeconds() >= seconds)
        {
            throw ChatException.Forbidden("the access token has expired; reconnect with a new token.");
        }

        return next(invocationContext);
    }
}
