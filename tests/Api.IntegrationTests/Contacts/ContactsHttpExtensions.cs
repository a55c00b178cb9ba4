using System.Net.Http.Headers;
using System.Net.Http.Json;
using Chat.IntegrationTests.Infrastructure;

namespace Chat.IntegrationTests.Contacts;

/// <summary>Calls to /api/contacts and /api/me/privacy, signed in as a user through the real token endpoint.</summary>
public static class ContactsHttpExtensions
{
    public static async Task<HttpClient> ClientForAsync(this ApiFactory factory, string userId)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await factory.TokenAsync(userId));
        return client;
    }

    public static async Task<HttpResponseMessage> PutContactsAsync(this ApiFactory factory, string userId, params string[] contactIds)
    {
        using var client = await factory.ClientForAsync(userId);
        return await client.PutAsJsonAsync("/api/contacts", new { userIds = contactIds }).OrTimeout();
    }

    /// <summary>Uploads an address book and fails the test unless it was accepted.</summary>
    public static async Task<List<string>> UploadContactsAsync(this ApiFactory factory, string userId, params string[] contactIds)
    {
        using var response = await factory.PutContactsAsync(userId, contactIds);
        Assert.True(response.IsSuccessStatusCode, $"uploading contacts of {userId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var body = await response.Content.ReadFromJsonAsync<RegisteredBody>();
        return body!.Registered;
    }

    public static async Task SetPrivacyAsync(this ApiFactory factory, string userId, string lastSeen)
    {
        using var client = await factory.ClientForAsync(userId);
        using var response = await client.PutAsJsonAsync("/api/me/privacy", new { lastSeen }).OrTimeout();
        Assert.True(response.IsSuccessStatusCode, $"setting privacy of {userId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private sealed record RegisteredBody(List<string> Registered);
}
