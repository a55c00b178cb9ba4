using Chat.Domain.Devices;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Api.Auth;

/// <summary>Issues the access tokens that authenticate hub connections and REST calls.</summary>
public sealed class TokenIssuer(AuthOptions options, SymmetricSecurityKey key, TimeProvider timeProvider)
{
    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>A token for one device of the user; the primary device's carries no "did" claim, like tokens before devices.</summary>
    public (string Token, DateTimeOffset ExpiresAt) Issue(string userId, int deviceId = DeviceIds.Primary)
    {
        var now = timeProvider.GetUtcNow();
        var expires = now + options.TokenLifetime;
        var claims = new List<Claim> { new(JwtRegisteredClaimNames.Sub, userId) };
        if (deviceId != DeviceIds.Primary)
        {
            claims.Add(new Claim(ChatClaims.Device, deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer32));
        }

        if (options.Admins.Contains(userId, StringComparer.Ordinal))
        {
            claims.Add(new Claim(ChatClaims.Role, ChatClaims.AdminRole));
        }

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }
}
