using System.Text.Json;
using Chat.Hubs.Contracts;
using Chat.IntegrationTests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Chat.IntegrationTests.Groups;

public sealed class GroupsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Creator_becomes_admin_and_members_see_the_group()
    {
        var (admin, bob) = (Ids.User("admin"), Ids.User("bob"));
        await factory.RegisterAsync(admin);
        await factory.RegisterAsync(bob);
        using var asAdmin = await GroupsClient.ForAsync(factory, admin);
        using var asBob = await GroupsClient.ForAsync(factory, bob);

        var groupId = await asAdmin.CreateAsync("friends", bob);
        var (status, group) = await asBob.SendAsync(HttpMethod.Get, $"/api/groups/{groupId}");
        var (_, mine) = await asBob.SendAsync(HttpMethod.Get, "/api/groups");

        Assert.Equal(200, status);
        Assert.Equal("friends", group.GetProperty("name").GetString());
        var roles = group.GetProperty("members").EnumerateArray().ToDictionary(m => m.GetProperty("userId").GetString()!, m => m.GetProperty("role").GetString());
        Assert.Equal("admin", roles[admin]);
        Assert.Equal("member", roles[bob]);
        var summary = Assert.Single(mine.GetProperty("groups").EnumerateArray());
        Assert.Equal((groupId, "member"), (summary.GetProperty("groupId").GetString(), summary.GetProperty("role").GetString()));
    }

    [Fact]
    public async Task Group_operations_check_permissions_and_input()
    {
        var (admin, bob, carol, outsider) = (Ids.User("admin"), Ids.User("bob"), Ids.User("carol"), Ids.User("out"));
        foreach (var id in new[] { admin, bob, carol, outsider })
        {
            await factory.RegisterAsync(id);
        }

        using var asAdmin = await GroupsClient.ForAsync(factory, admin);
        using var asBob = await GroupsClient.ForAsync(factory, bob);
        using var asOutsider = await GroupsClient.ForAsync(factory, outsider);
        var groupId = await asAdmin.CreateAsync("team", bob);

        var memberAdds = await asBob.SendAsync(HttpMethod.Post, $"/api/groups/{groupId}/members", new { userIds = new[] { carol } });
        var memberRemoves = await asBob.SendAsync(HttpMethod.Delete, $"/api/groups/{groupId}/members/{admin}");
        var memberPromotes = await asBob.SendAsync(HttpMethod.Post, $"/api/groups/{groupId}/admins", new { userId = bob });
        var outsiderReads = await asOutsider.SendAsync(HttpMethod.Get, $"/api/groups/{groupId}");
        var outsiderLeaves = await asOutsider.SendAsync(HttpMethod.Post, $"/api/groups/{groupId}/leave");
        var unknownGroup = await asAdmin.SendAsync(HttpMethod.Get, "/api/groups/doesnotexist");
        var unknownUser = await asAdmin.SendAsync(HttpMethod.Post, $"/api/groups/{groupId}/members", new { userIds = new[] { Ids.User("ghost") } });
        var badUserId = await asAdmin.SendAsync(HttpMethod.Post, $"/api/groups/{groupId}/members", new { userIds = new[] { "Bad Id" } });
        var noName = await asAdmin.SendAsync(HttpMethod.Post, "/api/groups", new { name = " " });
        var removeNonMember = await asAdmin.SendAsync(HttpMethod.Delete, $"/api/groups/{groupId}/members/{carol}");

        Assert.Equal((403, "forbidden"), (memberAdds.Status, GroupsClient.CodeOf(memberAdds.Body)));
        Assert.Equal((403, "forbidden"), (memberRemoves.Status, GroupsClient.CodeOf(memberRemoves.Body)));
        Assert.Equal((403, "forbidden"), (memberPromotes.Status, GroupsClient.CodeOf(memberPromotes.Body)));
        Assert.Equal((403, "forbidden"), (outsiderReads.Status, GroupsClient.CodeOf(outsiderReads.Body)));
        Assert.Equal((403, "forbidden"), (outsiderLeaves.Status, GroupsClient.CodeOf(outsiderLeaves.Body)));
        Assert.Equal((404, "not_found"), (unknownGroup.Status, GroupsClient.CodeOf(unknownGroup.Body)));
        Assert.Equal((404, "not_found"), (unknownUser.Status, GroupsClient.CodeOf(unknownUser.Body)));
        Assert.Equal((400, "invalid_request"), (badUserId.Status, GroupsClient.CodeOf(badUserId.Body)));
        Assert.Equal((400, "invalid_request"), (noName.Status, GroupsClient.CodeOf(noName.Body)));
        Assert.Equal((404, "not_found"), (removeNonMember.Status, GroupsClient.CodeOf(removeNonMember.Body)));
    }

    [Fact]
    public async Task Admin_adds_promotes_and_removes_and_a_leaving_last_admin_hands_over()
    {
        var (admin, bob, carol) = (Ids.User("admin"), Ids.User("bob"), Ids.User("carol"));
        foreach (var id in new[] { admin, bob, carol })
        {
            await factory.RegisterAsync(id);
        }

        using var asAdmin = await GroupsClient.ForAsync(factory, admin);
        using var asBob = await GroupsClient.ForAsync(factory, bob);
        var groupId = await asAdmin.CreateAsync("ops");

        var added = await asAdmin.SendAsync(HttpMethod.Post, $"/api/groups/{groupId}/members", new { userIds = new[] { bob, carol } });
        var promoted = await asAdmin.SendAsync(HttpMethod.Post, $"/api/groups/{groupId}/admins", new { userId = bob });
        var removed = await asBob.SendAsync(HttpMethod.Delete, $"/api/groups/{groupId}/members/{carol}");
        var adminLeft = await asAdmin.SendAsync(HttpMethod.Post, $"/api/groups/{groupId}/leave");
        var bobLeft = await asBob.SendAsync(HttpMethod.Post, $"/api/groups/{groupId}/leave");

        Assert.Equal(3, added.Body.GetProperty("members").GetArrayLength());
        Assert.Contains(promoted.Body.GetProperty("members").EnumerateArray(), m => m.GetProperty("userId").GetString() == bob && m.GetProperty("role").GetString() == "admin");
        Assert.Equal(2, removed.Body.GetProperty("members").GetArrayLength());
        var remaining = Assert.Single(adminLeft.Body.GetProperty("members").EnumerateArray());
        Assert.Equal((bob, "admin"), (remaining.GetProperty("userId").GetString(), remaining.GetProperty("role").GetString()));
        Assert.Equal(0, bobLeft.Body.GetProperty("members").GetArrayLength());
    }

    [Fact]
    public async Task Group_message_reaches_every_member_once_with_their_own_seq_and_not_the_sender()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));
        var carolId = Ids.User("carol");
        await factory.RegisterAsync(carolId);
        await using var other = await factory.ConnectAsync(Ids.User("dave"));
        await other.SendAsync(carolId, "carol's mailbox already has seq 1"); // so per-member seqs differ
        using var asAlice = await GroupsClient.ForAsync(factory, alice.UserId);
        var groupId = await asAlice.CreateAsync("trio", bob.UserId, carolId);

        var sent = await SendToGroupAsync(alice, groupId, "hello group");
        var live = await bob.ReceiveAsync(e => e.Kind == "message");

        Assert.Equal((sent.MessageId, groupId, alice.UserId, "hello group"), (live.MessageId, live.GroupId, live.From, live.Payload));
        await using var carol = await factory.ConnectAsync(carolId, register: false);
        var carolMessages = (await carol.DrainAsync()).Where(e => e.Kind == "message" && e.GroupId == groupId).ToList();
        var aliceMessages = (await alice.DrainAsync()).Where(e => e.Kind == "message").ToList();
        var bobMessages = (await bob.DrainAsync()).Where(e => e.Kind == "message").ToList();
        Assert.Equal(sent.MessageId, Assert.Single(carolMessages).MessageId);
        Assert.Equal(sent.MessageId, Assert.Single(bobMessages).MessageId);
        Assert.Empty(aliceMessages);
        Assert.NotEqual(carolMessages[0].Seq, bobMessages[0].Seq);
    }

    [Fact]
    public async Task Group_send_checks_membership_and_retries_store_once()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var outsider = await factory.ConnectAsync(Ids.User("out"));
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));
        using var asAlice = await GroupsClient.ForAsync(factory, alice.UserId);
        var groupId = await asAlice.CreateAsync("pair", bob.UserId);

        var notMember = await ChatClient.ErrorCodeOf(() => SendToGroupAsync(outsider, groupId, "let me in"));
        var noGroup = await ChatClient.ErrorCodeOf(() => SendToGroupAsync(alice, "nosuchgroup", "anyone?"));
        var both = await ChatClient.ErrorCodeOf(() => alice.Connection.InvokeAsync<SendMessageResponse>(
            "SendMessage", new SendMessageRequest { ClientMessageId = "x", To = bob.UserId, GroupId = groupId, Payload = "p" }));
        var first = await SendToGroupAsync(alice, groupId, "once", "same-id");
        var retry = await SendToGroupAsync(alice, groupId, "once", "same-id");

        Assert.Equal("forbidden", notMember);
        Assert.Equal("not_found", noGroup);
        Assert.Equal("invalid_request", both);
        Assert.Equal(first.MessageId, retry.MessageId);
        Assert.Single(await bob.DrainAsync(), e => e.Kind == "message");
    }

    [Fact]
    public async Task Offline_member_learns_of_membership_changes_on_reconnect()
    {
        var (admin, offline, carol) = (Ids.User("admin"), Ids.User("offline"), Ids.User("carol"));
        foreach (var id in new[] { admin, offline, carol })
        {
            await factory.RegisterAsync(id);
        }

        using var asAdmin = await GroupsClient.ForAsync(factory, admin);
        var groupId = await asAdmin.CreateAsync("news", offline);
        await asAdmin.SendAsync(HttpMethod.Post, $"/api/groups/{groupId}/members", new { userIds = new[] { carol } });
        await asAdmin.SendAsync(HttpMethod.Post, $"/api/groups/{groupId}/admins", new { userId = carol });
        await asAdmin.SendAsync(HttpMethod.Delete, $"/api/groups/{groupId}/members/{offline}");

        await using var client = await factory.ConnectAsync(offline, register: false);
        var events = (await client.DrainAsync()).Where(e => e.Kind == "group_event").ToList();

        var payloads = events.Select(e => JsonDocument.Parse(e.Payload!).RootElement).ToList();
        Assert.Equal(["created", "members_added", "admin_promoted", "member_removed"], payloads.Select(p => p.GetProperty("event").GetString()));
        Assert.All(events, e => Assert.Equal(groupId, e.GroupId));
        Assert.Equal(offline, payloads[^1].GetProperty("userIds")[0].GetString());
        Assert.Equal(events.Select(e => e.Seq).Order(), events.Select(e => e.Seq));
    }

    [Fact]
    public async Task Read_receipts_reach_the_sender_even_after_ack_and_only_recipients_may_mark()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));
        await using var mallory = await factory.ConnectAsync(Ids.User("mallory"));
        var sent = await alice.SendAsync(bob.UserId, "did you read this?");
        var pending = Assert.Single(await bob.DrainAsync());
        await bob.AckAsync(pending.Seq);

        var forbidden = await ChatClient.ErrorCodeOf(() => MarkReadAsync(mallory, sent.MessageId));
        var marked = await MarkReadAsync(bob, sent.MessageId);
        var markedAgain = await MarkReadAsync(bob, sent.MessageId);
        var receipt = await alice.ReceiveAsync(e => e.Kind == "read");

        Assert.Equal("forbidden", forbidden);
        Assert.Equal(1, marked);
        Assert.Equal(0, markedAgain);
        Assert.Single(await alice.DrainAsync(), e => e.Kind == "read");
        Assert.Equal((sent.MessageId, bob.UserId), (receipt.MessageId, receipt.From));
    }

    [Fact]
    public async Task Group_read_and_delivered_receipts_come_from_each_member_and_name_the_group()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await factory.ConnectAsync(Ids.User("bob"));
        await using var carol = await factory.ConnectAsync(Ids.User("carol"));
        using var asAlice = await GroupsClient.ForAsync(factory, alice.UserId);
        var groupId = await asAlice.CreateAsync("readers", bob.UserId, carol.UserId);
        var sent = await SendToGroupAsync(alice, groupId, "read me");

        await MarkReadAsync(bob, sent.MessageId);
        await MarkReadAsync(carol, sent.MessageId);

        await bob.AckAsync((await bob.DrainAsync()).Single(e => e.MessageId == sent.MessageId).Seq);

        var pending = await alice.DrainAsync();
        var receipts = pending.Where(e => e.Kind == "read").ToList();
        Assert.Equal(new[] { bob.UserId, carol.UserId }.Order(), receipts.Select(r => r.From).Order());
        Assert.All(receipts, r => Assert.Equal((sent.MessageId, groupId), (r.MessageId, r.GroupId)));
        var delivered = Assert.Single(pending, e => e.Kind == "delivered");
        Assert.Equal((sent.MessageId, groupId, bob.UserId), (delivered.MessageId, delivered.GroupId, delivered.From));
    }

    [Fact]
    public async Task A_1024_member_group_delivers_exactly_one_copy_per_member_in_order()
    {
        var members = Enumerable.Range(0, 1023).Select(i => Ids.User($"m{i:D4}")).ToList();
        await GroupsClient.BulkRegisterAsync(factory, members);
        await using var sender = await factory.ConnectAsync(Ids.User("big-sender"));
        await using var watcher = await factory.ConnectAsync(members[500], register: false);
        using var asSender = await GroupsClient.ForAsync(factory, sender.UserId);
        var groupId = await asSender.CreateAsync("everyone", [.. members]);
        var overflow = Ids.User("one-too-many");
        await factory.RegisterAsync(overflow);

        var sent = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            sent.Add((await SendToGroupAsync(sender, groupId, $"broadcast {i}")).MessageId);
        }

        var live = await watcher.ReceiveAsync(e => e.Kind == "message");
        var tooBig = await asSender.SendAsync(HttpMethod.Post, $"/api/groups/{groupId}/members", new { userIds = new[] { overflow } });

        Assert.Equal(sent[0], live.MessageId);
        Assert.Equal((400, "invalid_request"), (tooBig.Status, GroupsClient.CodeOf(tooBig.Body)));
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        var rows = (await connection.QueryAsync<(string UserId, long Seq, Guid MessageId)>(
            "SELECT user_id, seq, message_id FROM envelopes WHERE group_id = @groupId AND kind = 0 ORDER BY user_id, seq", new { groupId })).ToList();
        Assert.Equal(1023 * 3, rows.Count);
        Assert.DoesNotContain(rows, r => r.UserId == sender.UserId);
        foreach (var perMember in rows.GroupBy(r => r.UserId))
        {
            Assert.Equal(sent, perMember.Select(r => r.MessageId)); // ordered by the member's own seq
        }

        Assert.Equal(members.Order(StringComparer.Ordinal), rows.Select(r => r.UserId).Distinct().Order(StringComparer.Ordinal));
    }

    private static Task<SendMessageResponse> SendToGroupAsync(ChatClient client, string groupId, string payload, string? clientMessageId = null) =>
        client.Connection.InvokeAsync<SendMessageResponse>("SendMessage", new SendMessageRequest
        {
            ClientMessageId = clientMessageId ?? Guid.NewGuid().ToString("N"),
            GroupId = groupId,
            Payload = payload,
        }).OrTimeout();

    private static Task<int> MarkReadAsync(ChatClient client, Guid messageId) =>
        client.Connection.InvokeAsync<int>("MarkRead", new MarkReadRequest { MessageIds = [messageId] }).OrTimeout();
}
