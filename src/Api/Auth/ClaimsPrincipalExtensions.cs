using System.Security.Claims;
using Chat.Domain.Errors;

namespace Chat.Api.Auth;

public static class ClaimsPrincipalExtensions
{
    /// <summary>The signed-in user's id: the token's "sub" claim (inbound claim mapping is off).</summary>
    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ChatClaims.Subject) ?? throw ChatException.Forbidden("no user in the token.");
}
