using System.Security.Claims;
using Chat.Hubs.Chat;

namespace Chat.Api.Auth;

/// <summary>
/// The principal a request or hub connection keeps after its token is validated: only the claims the server reads
/// (user, device, role, expiry). A hub connection holds its principal for its whole life, and the validated token's
/// principal also keeps the parsed token with its header and payload dictionaries and every registered claim, about
/// 3 KiB per idle connection (docs/BENCHMARKS.md, idle connections).
/// </summary>
public static class SessionPrincipal
{
    private static readonly string[] Kept = [ChatClaims.Subject, ChatClaims.Device, ChatClaims.Role, TokenExpiryHubFilter.ExpiryClaim];

    public static ClaimsPrincipal From(ClaimsPrincipal validated, string authenticationType)
    {
        var claims = new List<Claim>(Kept.Length);
        foreach (var claim in validated.Claims)
        {
            if (Array.IndexOf(Kept, claim.Type) >= 0)
            {
                claims.Add(new Claim(claim.Type, claim.Value, claim.ValueType, claim.Issuer));
            }
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, ChatClaims.Subject, ChatClaims.Role));
    }
}
