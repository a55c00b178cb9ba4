using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Chat.IntegrationTests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Chat.IntegrationTests.Groups;

/// <summary>Calls the group REST API as one signed-in user.</summary>
public sealed class GroupsClient : IDisposable
{
    private readonly HttpClient _http;

    private GroupsClient(HttpClient http) => _http = http;

    public static async Task<GroupsClient> ForAsync(ApiFactory factory, string userId)
    {
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await factory.TokenAsync(userId));
        return new GroupsClient(http);
    }

    public async Task<(int Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public async Task<string> CreateAsync(string name, params string[] members)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/groups", new { name, members });
        Assert.True(status == 201, $"create group: {status} {body}");
        return body.GetProperty("groupId").GetString()!;
    }

    public static string CodeOf(JsonElement problem) => problem.GetProperty("code").GetString()!;

    /// <summary>Creates accounts straight in the database: hashing a thousand passwords through the API would only test PBKDF2.</summary>
    public static async Task BulkRegisterAsync(ApiFactory factory, IReadOnlyList<string> userIds)
    {
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.ExecuteAsync(
            """
            INSERT INTO accounts (user_id, password_hash, created_at) SELECT u, @hash, now() FROM unnest(@ids) AS u;
            INSERT INTO devices (user_id, device_id, name, created_at, last_seen_at) SELECT u, 1, 'primary', now(), now() FROM unnest(@ids) AS u;
            INSERT INTO mailboxes (user_id, device_id, last_seq) SELECT u, 1, 0 FROM unnest(@ids) AS u;
            """,
            // One real hash for all: the same default password then signs in any of them.
            new { ids = userIds.ToArray(), hash = new PasswordHasher<string>().HashPassword("any", "correct horse battery") });
    }

    public void Dispose() => _http.Dispose();
}
