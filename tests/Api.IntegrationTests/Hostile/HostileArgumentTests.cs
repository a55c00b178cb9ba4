using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Chat.Hubs.Contracts;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.IntegrationTests.Hostile;

/// <summary>
/// Arguments a hostile client sends through a real SignalR client (JSON and MessagePack): missing, extra and
/// wrongly typed fields, huge strings and arrays, negative and huge seqs and limits, and attempts to act on
/// another user's mailbox. Each gets its documented answer; nothing stored changes, and the connection stays open.
/// </summary>
public sealed class HostileArgumentTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    public static TheoryData<bool> Protocols => new() { false, true };

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Missing_wrongly_typed_huge_or_out_of_range_arguments_get_invalid_request_and_store_nothing(bool messagePack)
    {
        await using var mallory = await factory.ConnectAsync(Ids.User("mallory"), messagePack: messagePack);
        var bob = Ids.User("bob");
        await factory.RegisterAsync(bob);
        var huge = new string('a', 100_000);
        var before = await StoredState.SnapshotAsync(factory.ConnectionString);
        var hub = mallory.Connection;

        var calls = new Dictionary<string, Func<Task>>
        {
            ["send: no clientMessageId"] = () => hub.InvokeAsync<object>("SendMessage", new { to = bob, payload = "x" }),
            ["send: no payload"] = () => hub.InvokeAsync<object>("SendMessage", new { clientMessageId = "c1", to = bob }),
            ["send: neither to nor groupId"] = () => hub.InvokeAsync<object>("SendMessage", new { clientMessageId = "c1", payload = "x" }),
            ["send: number as clientMessageId"] = () => hub.InvokeAsync<object>("SendMessage", new { clientMessageId = 5, to = bob, payload = "x" }),
            ["send: array as payload"] = () => hub.InvokeAsync<object>("SendMessage", new { clientMessageId = "c1", to = bob, payload = new[] { 1, 2 } }),
            ["send: huge clientMessageId"] = () => hub.InvokeAsync<object>("SendMessage", new { clientMessageId = huge, to = bob, payload = "x" }),
            ["send: huge to"] = () => hub.InvokeAsync<object>("SendMessage", new { clientMessageId = "c1", to = huge, payload = "x" }),
            ["send: huge groupId"] = () => hub.InvokeAsync<object>("SendMessage", new { clientMessageId = "c1", groupId = huge, payload = "x" }),
            ["send: negative ttl"] = () => hub.InvokeAsync<object>("SendMessage", new { clientMessageId = "c1", to = bob, payload = "x", ttlSeconds = -1 }),
            ["send: ttl int.MinValue"] = () => hub.InvokeAsync<object>("SendMessage", new { clientMessageId = "c1", to = bob, payload = "x", ttlSeconds = int.MinValue }),
            ["fetch: negative afterSeq"] = () => hub.InvokeAsync<object>("FetchPending", new { afterSeq = -1, limit = 10 }),
            ["fetch: afterSeq long.MinValue"] = () => hub.InvokeAsync<object>("FetchPending", new { afterSeq = long.MinValue, limit = 10 }),
            ["fetch: limit 0"] = () => hub.InvokeAsync<object>("FetchPending", new { afterSeq = 0, limit = 0 }),
            ["fetch: negative limit"] = () => hub.InvokeAsync<object>("FetchPending", new { afterSeq = 0, limit = -5 }),
            ["fetch: limit int.MaxValue"] = () => hub.InvokeAsync<object>("FetchPending", new { afterSeq = 0, limit = int.MaxValue }),
            ["fetch: string afterSeq"] = () => hub.InvokeAsync<object>("FetchPending", new { afterSeq = "0", limit = 10 }),
            ["ack: no upToSeq"] = () => hub.InvokeAsync<object>("Ack", new { }),
            ["ack: negative upToSeq"] = () => hub.InvokeAsync<object>("Ack", new { upToSeq = -5 }),
            ["ack: upToSeq long.MinValue"] = () => hub.InvokeAsync<object>("Ack", new { upToSeq = long.MinValue }),
            ["mark: no ids"] = () => hub.InvokeAsync<object>("MarkRead", new { }),
            ["mark: empty ids"] = () => hub.InvokeAsync<object>("MarkRead", new { messageIds = Array.Empty<Guid>() }),
            ["mark: 5,000 ids"] = () => hub.InvokeAsync<object>("MarkRead", new { messageIds = Enumerable.Range(0, 5_000).Select(_ => Guid.NewGuid()).ToArray() }),
            ["mark: ids not uuids"] = () => hub.InvokeAsync<object>("MarkRead", new { messageIds = new[] { "x", "y" } }),
            ["presence: no ids"] = () => hub.InvokeAsync<object>("GetPresence", new { }),
            ["presence: 5,000 ids"] = () => hub.InvokeAsync<object>("GetPresence", new { userIds = Enumerable.Range(0, 5_000).Select(i => $"user-{i}").ToArray() }),
            ["presence: huge id"] = () => hub.InvokeAsync<object>("GetPresence", new { userIds = new[] { huge } }),
            ["typing: both"] = () => hub.InvokeAsync("Typing", new { to = bob, groupId = "g1" }),
            ["typing: huge to"] = () => hub.InvokeAsync("Typing", new { to = huge }),
        };
        var codes = new Dictionary<string, string>();
        foreach (var (name, call) in calls)
        {
            codes[name] = await ChatClient.ErrorCodeOf(() => call().OrTimeout());
        }

        var after = await StoredState.SnapshotAsync(factory.ConnectionString);

        Assert.All(codes, c => Assert.True(c.Value == "invalid_request", $"{c.Key}: {c.Value}"));
        Assert.Equal(before, after);
        Assert.Equal(HubConnectionState.Connected, hub.State);
    }

    [Fact]
    public async Task Huge_but_valid_seqs_are_answered_truthfully_without_changing_anything()
    {
        await using var mallory = await factory.ConnectAsync(Ids.User("mallory"));
        var before = await StoredState.SnapshotAsync(factory.ConnectionString);

        var page = await mallory.Connection.InvokeAsync<FetchPendingResponse>("FetchPending", new { afterSeq = long.MaxValue, limit = 500 }).OrTimeout();
        var acked = await mallory.Connection.InvokeAsync<int>("Ack", new { upToSeq = long.MaxValue }).OrTimeout();
        var after = await StoredState.SnapshotAsync(factory.ConnectionString);

        Assert.Empty(page.Envelopes);
        Assert.False(page.HasMore);
        Assert.Equal(0, acked);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task A_frame_over_the_size_limit_closes_the_connection_and_stores_nothing()
    {
        await using var mallory = await factory.ConnectAsync(Ids.User("mallory"));
        var bob = Ids.User("bob");
        await factory.RegisterAsync(bob);
        var before = await StoredState.SnapshotAsync(factory.ConnectionString);

        var call = await Record.ExceptionAsync(() => mallory.SendAsync(bob, new string('x', 1_000_000)));
        var closed = await mallory.ClosedWith.OrTimeout();
        await using var again = await factory.ConnectAsync(mallory.UserId, register: false);
        var fine = await again.SendAsync(bob, "a normal message");

        Assert.NotNull(call);
        Assert.NotNull(closed);
        Assert.NotEqual(Guid.Empty, fine.MessageId);
        Assert.Equal(before, StoredStateWithout(await StoredState.SnapshotAsync(factory.ConnectionString), before));
    }

    [Fact]
    public async Task Nobody_can_fetch_ack_or_mark_another_users_envelopes_or_send_as_someone_else()
    {
        await using var carol = await factory.ConnectAsync(Ids.User("carol"));
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));
        await using var mallory = await factory.ConnectAsync(Ids.User("mallory"));
        var toBob = await carol.SendAsync(bob.UserId, "for bob only");
        var before = await StoredState.SnapshotAsync(factory.ConnectionString);

        var fetched = await mallory.Connection.InvokeAsync<FetchPendingResponse>("FetchPending", new { afterSeq = 0, limit = 100, userId = bob.UserId, user = bob.UserId }).OrTimeout();
        var acked = await mallory.Connection.InvokeAsync<int>("Ack", new { upToSeq = 1_000, userId = bob.UserId }).OrTimeout();
        var marked = await ChatClient.ErrorCodeOf(() => mallory.Connection.InvokeAsync<int>("MarkRead", new { messageIds = new[] { toBob.MessageId }, userId = bob.UserId }).OrTimeout());
        var unchanged = await StoredState.SnapshotAsync(factory.ConnectionString);
        await mallory.Connection.InvokeAsync<SendMessageResponse>("SendMessage", new { clientMessageId = "forged", to = bob.UserId, payload = "who am I", from = carol.UserId, senderId = carol.UserId, kind = "delivered" }).OrTimeout();
        var bobs = await bob.DrainAsync();

        Assert.Empty(fetched.Envelopes);
        Assert.Equal(0, acked);
        Assert.Equal("forbidden", marked);
        Assert.Equal(before, unchanged);
        var forged = Assert.Single(bobs, e => e.Payload == "who am I");
        Assert.Equal(mallory.UserId, forged.From);
        Assert.Equal("message", forged.Kind);
        Assert.Single(bobs, e => e.MessageId == toBob.MessageId && e.From == carol.UserId);
    }

    [Fact]
    public async Task Hostile_rest_bodies_get_400_and_store_nothing()
    {
        var mallory = Ids.User("mallory");
        await factory.RegisterAsync(mallory);
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await factory.TokenAsync(mallory));
        var before = await StoredState.SnapshotAsync(factory.ConnectionString);

        var statuses = new Dictionary<string, HttpStatusCode>
        {
            ["register: huge id"] = await StatusAsync(factory.CreateClient().PostAsJsonAsync("/api/accounts", new { userId = new string('a', 100_000), password = "long enough" })),
            ["register: huge password"] = await StatusAsync(factory.CreateClient().PostAsJsonAsync("/api/accounts", new { userId = Ids.User("x"), password = new string('p', 100_000) })),
            ["register: number as id"] = await StatusAsync(factory.CreateClient().PostAsync("/api/accounts", Json("""{"userId":42,"password":"long enough"}"""))),
            ["register: broken json"] = await StatusAsync(factory.CreateClient().PostAsync("/api/accounts", Json("""{"userId":"""))),
            ["group: huge name"] = await StatusAsync(client.PostAsJsonAsync("/api/groups", new { name = new string('n', 1_000_000) })),
            ["group: 100,000 members"] = await StatusAsync(client.PostAsJsonAsync("/api/groups", new { name = "big", members = Enumerable.Range(0, 100_000).Select(i => $"user-{i}").ToArray() })),
            ["group: members not an array"] = await StatusAsync(client.PostAsync("/api/groups", Json("""{"name":"g","members":"everyone"}"""))),
            ["contacts: 100,000 ids"] = await StatusAsync(client.PutAsJsonAsync("/api/contacts", new { userIds = Enumerable.Range(0, 100_000).Select(i => $"user-{i}").ToArray() })),
            ["contacts: ids not strings"] = await StatusAsync(client.PutAsync("/api/contacts", Json("""{"userIds":[1,2,3]}"""))),
            ["privacy: unknown value"] = await StatusAsync(client.PutAsJsonAsync("/api/me/privacy", new { lastSeen = "strangers" })),
        };
        var after = await StoredState.SnapshotAsync(factory.ConnectionString);

        Assert.All(statuses, s => Assert.True(s.Value == HttpStatusCode.BadRequest, $"{s.Key}: {(int)s.Value}"));
        Assert.Equal(before, after);
    }

    /// <summary>The snapshot after one legitimate send (one envelope, one dedup row, one seq) is the "before" one plus exactly that.</summary>
    private static string StoredStateWithout(string after, string before)
    {
        var expected = before.Split(", ").Select(part =>
        {
            var (name, value) = (part[..part.IndexOf('=', StringComparison.Ordinal)], long.Parse(part[(part.IndexOf('=', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            return name is "envelopes" or "message_dedup" or "seqs" ? $"{name}={value + 1}" : part;
        });
        return after == string.Join(", ", expected) ? before : after;
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    private static async Task<HttpStatusCode> StatusAsync(Task<HttpResponseMessage> request)
    {
        using var response = await request.OrTimeout();
        return response.StatusCode;
    }
}
