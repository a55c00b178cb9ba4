using System.Net.Http.Json;
using System.Text.Json;
using Chat.IntegrationTests.Contacts;
using Chat.IntegrationTests.Infrastructure;
using Dapper;
using Npgsql;

namespace Chat.IntegrationTests.Presence;

public sealed class TypingTests(PresenceFixture fixture) : IClassFixture<PresenceFixture>
{
    private ApiFactory Factory => fixture.Factory;

    [Fact]
    public async Task Typing_reaches_the_online_peer_and_is_never_stored()
    {
        await using var alice = await Factory.ConnectReadyAsync(Ids.User("alice"));
        await using var bob = await Factory.ConnectReadyAsync(Ids.User("bob"));
        var bobSees = bob.Record();

        await alice.TypingAsync(to: bob.UserId);
        var typing = await bobSees.NextTypingAsync();

        Assert.Equal((alice.UserId, (string?)null), (typing.From, typing.GroupId));
        Assert.Equal(0, await EnvelopesInDatabaseAsync(bob.UserId, alice.UserId));
        Assert.Empty(await bob.DrainAsync());
    }

    [Fact]
    public async Task Typing_to_an_offline_user_is_accepted_and_delivers_nothing_later()
    {
        var bobId = Ids.User("bob");
        await Factory.RegisterAsync(bobId);
        await using var alice = await Factory.ConnectReadyAsync(Ids.User("alice"));

        await alice.TypingAsync(to: bobId);
        await using var bob = await Factory.ConnectReadyAsync(bobId, register: false);

        Assert.Empty(await bob.DrainAsync());
        Assert.Equal(0, await EnvelopesInDatabaseAsync(bobId, alice.UserId));
    }

    [Fact]
    public async Task Typing_faster_than_the_limit_fails_with_rate_limited()
    {
        await using var alice = await Factory.ConnectReadyAsync(Ids.User("alice"));
        await using var bob = await Factory.ConnectReadyAsync(Ids.User("bob"));
        var bobSees = bob.Record();

        for (var i = 0; i < PresenceFixture.TypingLimit; i++)
        {
            await alice.TypingAsync(to: bob.UserId);
        }

        var code = await ChatClient.ErrorCodeOf(() => alice.TypingAsync(to: bob.UserId));

        Assert.Equal("rate_limited", code);
        for (var i = 0; i < PresenceFixture.TypingLimit; i++)
        {
            Assert.Equal(alice.UserId, (await bobSees.NextTypingAsync()).From);
        }
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("some-user", "some-group")]
    [InlineData("Not Valid!", null)]
    [InlineData(null, "")]
    public async Task Typing_with_bad_input_fails_with_invalid_request(string? to, string? groupId)
    {
        await using var alice = await Factory.ConnectReadyAsync(Ids.User("alice"));

        Assert.Equal("invalid_request", await ChatClient.ErrorCodeOf(() => alice.TypingAsync(to, groupId)));
    }

    [Fact]
    public async Task Typing_to_an_unknown_user_or_group_fails_with_not_found()
    {
        await using var alice = await Factory.ConnectReadyAsync(Ids.User("alice"));

        Assert.Equal("not_found", await ChatClient.ErrorCodeOf(() => alice.TypingAsync(to: Ids.User("ghost"))));
        Assert.Equal("not_found", await ChatClient.ErrorCodeOf(() => alice.TypingAsync(groupId: "no-such-group")));
    }

    [Fact]
    public async Task Typing_in_a_group_reaches_the_other_online_members_and_outsiders_are_forbidden()
    {
        await using var alice = await Factory.ConnectReadyAsync(Ids.User("alice"));
        await using var bob = await Factory.ConnectReadyAsync(Ids.User("bob"));
        await using var carol = await Factory.ConnectReadyAsync(Ids.User("carol"));
        await using var eve = await Factory.ConnectReadyAsync(Ids.User("eve"));
        var (aliceSees, bobSees, carolSees) = (alice.Record(), bob.Record(), carol.Record());
        var groupId = await CreateGroupAsync(alice.UserId, bob.UserId, carol.UserId);

        await alice.TypingAsync(groupId: groupId);
        var (toBob, toCarol) = (await bobSees.NextTypingAsync(), await carolSees.NextTypingAsync());
        await bob.TypingAsync(to: alice.UserId);
        var toAlice = await aliceSees.NextTypingAsync();
        var outsider = await ChatClient.ErrorCodeOf(() => eve.TypingAsync(groupId: groupId));

        Assert.Equal((alice.UserId, groupId), (toBob.From, toBob.GroupId));
        Assert.Equal((alice.UserId, groupId), (toCarol.From, toCarol.GroupId));
        // Alice's own group notification would have come before Bob's direct one.
        Assert.Equal((bob.UserId, (string?)null), (toAlice.From, toAlice.GroupId));
        Assert.Equal("forbidden", outsider);
    }

    private async Task<string> CreateGroupAsync(string creator, params string[] members)
    {
        using var client = await Factory.ClientForAsync(creator);
        using var response = await client.PostAsJsonAsync("/api/groups", new { name = "typing", members }).OrTimeout();
        Assert.True(response.IsSuccessStatusCode, $"creating a group: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("groupId").GetString()!;
    }

    private async Task<long> EnvelopesInDatabaseAsync(string userId, string senderId)
    {
        await using var connection = new NpgsqlConnection(Factory.ConnectionString);
        return await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM envelopes WHERE user_id = @userId OR sender_id = @senderId", new { userId, senderId });
    }
}
