using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Chat.Api.Auth;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.IntegrationTests.Hostile;

/// <summary>REST input and tokens a hostile client may present.</summary>
public sealed class HostileRestInputTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\0")]
    [InlineData("\t")]
    [InlineData("\u0085")]
    [InlineData("\u2028")]
    public async Task Register_UserIdWithTrailingControlCharacter_IsRefusedAndCreatesNoImpostor(string suffix)
    {
        var victim = Ids.User("victim");
        await factory.RegisterAsync(victim);
        using var client = factory.CreateClient();

        using var register = await client.PostAsJsonAsync("/api/accounts", new { userId = victim + suffix, password = "impostor password" });
        using var signIn = await client.PostAsJsonAsync("/api/tokens", new { userId = victim + suffix, password = "impostor password" });

        Assert.Equal(HttpStatusCode.BadRequest, register.StatusCode);
        Assert.Contains("invalid_request", await register.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);
    }

    [Fact]
    public async Task CreateGroup_WithNulInName_FailsWith400InvalidRequest()
    {
        var alice = Ids.User("alice");
        await factory.RegisterAsync(alice);
        using var client = AuthorizedClient(await factory.TokenAsync(alice));

        using var response = await client.PostAsJsonAsync("/api/groups", new { name = "bad\0name", members = Array.Empty<string>() });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_request", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_OfUserWithoutAccount_IsRefusedEverywhere()
    {
        // Only the holder of the signing key can make this token: for example one issued before the account was removed.
        var ghost = Ids.User("ghost");
        var (token, _) = factory.Services.GetRequiredService<TokenIssuer>().Issue(ghost);
        using var client = AuthorizedClient(token);

        using var contacts = await client.PutAsJsonAsync("/api/contacts", new { userIds = new[] { "someone" } });
        using var groups = await client.PostAsJsonAsync("/api/groups", new { name = "ghost group", members = Array.Empty<string>() });
        using var negotiate = await client.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", null);
        await factory.RegisterAsync(ghost);
        using var afterRegistering = await client.GetAsync("/api/groups");

        Assert.Equal(HttpStatusCode.Unauthorized, contacts.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, groups.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterRegistering.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/hubs/chat?id=&access_token={0}")]
    [InlineData("GET", "/hubs/chat/?access_token={0}")]
    [InlineData("GET", "/HUBS/CHAT?access_token={0}")]
    [InlineData("POST", "/hubs/chat/negotiate/?negotiateVersion=1&access_token={0}")]
    [InlineData("POST", "/Hubs/Chat/Negotiate?negotiateVersion=1&access_token={0}")]
    public async Task ClosedGate_RefusesEverySpellingOfANewSession(string method, string pathAndQuery)
    {
        var userId = Ids.User("late");
        await factory.RegisterAsync(userId);
        var token = await factory.TokenAsync(userId);
        using var client = factory.CreateClient();
        using var admin = factory.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Admin-Key", ApiFactory.AdminApiKey);
        await using var connected = await factory.ConnectAsync(Ids.User("early"));

        HttpStatusCode closedStatus;
        HttpStatusCode openStatus;
        using (await admin.PostAsJsonAsync("/admin/gate", new { open = false }))
        {
            try
            {
                closedStatus = await SendAsync(client, method, string.Format(System.Globalization.CultureInfo.InvariantCulture, pathAndQuery, token));
                await connected.SendAsync(connected.UserId, "existing sessions keep working");
            }
            finally
            {
                using var reopen = await admin.PostAsJsonAsync("/admin/gate", new { open = (bool?)null });
            }
        }

        openStatus = await SendAsync(client, method, string.Format(System.Globalization.CultureInfo.InvariantCulture, pathAndQuery, token));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, closedStatus);
        Assert.NotEqual(HttpStatusCode.ServiceUnavailable, openStatus);
        Assert.Equal(HubConnectionState.Connected, connected.Connection.State);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string method, string pathAndQuery)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), pathAndQuery);
        using var response = await client.SendAsync(request).OrTimeout();
        return response.StatusCode;
    }

    private HttpClient AuthorizedClient(string token)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
