using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Chat.IntegrationTests.Hostile;

/// <summary>
/// Tokens that must not open a door: expired, signed with another key, unsigned (alg "none"), with a payload
/// changed after signing, not a JWT at all, or of a user whose account is gone. Each is refused with 401 on REST,
/// on negotiate and on a direct WebSocket connect, and nothing stored changes.
/// </summary>
public sealed class ForgedTokenTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    public static TheoryData<string> Forgeries => new() { "expired", "wrong key", "alg none", "tampered payload", "not a jwt", "deleted user", "wrong audience" };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task Forged_or_stale_token_is_refused_everywhere_and_changes_nothing(string forgery)
    {
        var victim = Ids.User("victim");
        await factory.RegisterAsync(victim);
        var token = await ForgeAsync(forgery, victim);
        var before = await StoredState.SnapshotAsync(factory.ConnectionString);

        var statuses = new Dictionary<string, HttpStatusCode>
        {
            ["groups"] = await SendAsync(token, HttpMethod.Get, "/api/groups"),
            ["create group"] = await SendAsync(token, HttpMethod.Post, "/api/groups", """{"name":"owned"}"""),
            ["contacts"] = await SendAsync(token, HttpMethod.Put, "/api/contacts", """{"userIds":[]}"""),
            ["negotiate"] = await SendAsync(token, HttpMethod.Post, "/hubs/chat/negotiate?negotiateVersion=1"),
            ["negotiate, query token"] = await SendAsync(null, HttpMethod.Post, $"/hubs/chat/negotiate?negotiateVersion=1&access_token={Uri.EscapeDataString(token)}"),
        };
        var socket = await Record.ExceptionAsync(() => RawHubSocket.ConnectAsync(factory, Uri.EscapeDataString(token)));
        var after = await StoredState.SnapshotAsync(factory.ConnectionString);

        Assert.All(statuses, s => Assert.True(s.Value == HttpStatusCode.Unauthorized, $"{forgery}, {s.Key}: {(int)s.Value}"));
        Assert.NotNull(socket);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task The_genuine_token_of_the_same_user_still_works()
    {
        var user = Ids.User("genuine");
        await factory.RegisterAsync(user);

        var status = await SendAsync(await factory.TokenAsync(user), HttpMethod.Get, "/api/groups");

        Assert.Equal(HttpStatusCode.OK, status);
    }

    private async Task<string> ForgeAsync(string forgery, string victim)
    {
        var realKey = new SymmetricSecurityKey(Convert.FromBase64String(ApiFactory.SigningKey));
        switch (forgery)
        {
            case "expired":
                return Sign(realKey, victim, DateTime.UtcNow.AddHours(-2), DateTime.UtcNow.AddHours(-1));
            case "wrong key":
                return Sign(new SymmetricSecurityKey(Encoding.UTF8.GetBytes("another-key-of-at-least-32-bytes-long!!")), victim, DateTime.UtcNow, DateTime.UtcNow.AddHours(1));
            case "wrong audience":
                return Sign(realKey, victim, DateTime.UtcNow, DateTime.UtcNow.AddHours(1), audience: "someone-else");
            case "alg none":
                return $"{Base64Url("""{"alg":"none","typ":"JWT"}""")}.{Base64Url(Payload(victim))}.";
            case "tampered payload":
                var mallory = Ids.User("mallory");
                await factory.RegisterAsync(mallory);
                var genuine = (await factory.TokenAsync(mallory)).Split('.');
                return $"{genuine[0]}.{Base64Url(Payload(victim))}.{genuine[2]}";
            case "not a jwt":
                return "this-is-not-a-token";
            case "deleted user":
                var doomed = Ids.User("doomed");
                await factory.RegisterAsync(doomed);
                var token = await factory.TokenAsync(doomed);
                await using (var connection = new NpgsqlConnection(factory.ConnectionString))
                {
                    await connection.OpenAsync();
                    await using var delete = new NpgsqlCommand("DELETE FROM accounts WHERE user_id = @id", connection);
                    delete.Parameters.AddWithValue("id", doomed);
                    await delete.ExecuteNonQueryAsync();
                }

                return token;
            default:
                throw new ArgumentOutOfRangeException(nameof(forgery), forgery, null);
        }
    }

    private static string Sign(SecurityKey key, string subject, DateTime notBefore, DateTime expires, string audience = "chat") =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", subject)]),
            Issuer = "chat",
            Audience = audience,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });

    private static string Payload(string subject)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return $$"""{"sub":"{{subject}}","iss":"chat","aud":"chat","iat":{{now}},"nbf":{{now}},"exp":{{now + 3600}}}""";
    }

    private static string Base64Url(string json) => Base64UrlEncoder.Encode(json);

    private async Task<HttpStatusCode> SendAsync(string? token, HttpMethod method, string path, string? body = null)
    {
        using var client = factory.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request).OrTimeout();
        return response.StatusCode;
    }
}
