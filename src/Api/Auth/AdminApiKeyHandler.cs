using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Chat.Api.Auth;

/// <summary>Signs in callers that present the configured admin API key in the X-Admin-Key header, with the admin role.</summary>
public sealed class AdminApiKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AuthOptions auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminApiKey";
    public const string HeaderName = "X-Admin-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (string.IsNullOrEmpty(auth.AdminApiKey) || !Request.Headers.TryGetValue(HeaderName, out var presented))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var expected = Encoding.UTF8.GetBytes(auth.AdminApiKey);
        var actual = Encoding.UTF8.GetBytes(presented.ToString());
        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            return Task.FromResult(AuthenticateResult.Fail("invalid admin key"));
        }

        var identity = new ClaimsIdentity(
            [new Claim(ChatClaims.Subject, "admin-api-key"), new Claim(ChatClaims.Role, ChatClaims.AdminRole)],
            SchemeName,
            ChatClaims.Subject,
            ChatClaims.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
