using Chat.Domain.Presence;
using Chat.IntegrationTests.Contacts;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.IntegrationTests.Presence;

public sealed class PresenceTests(PresenceFixture fixture) : IClassFixture<PresenceFixture>
{
    private ApiFactory Factory => fixture.Factory;

    [Fact]
    public void The_presence_service_replaces_the_default_no_op_tracker()
    {
        Assert.IsType<PresenceService>(Factory.Services.GetRequiredService<IPresenceTracker>());
        Assert.Single(Factory.Services.GetServices<IPresenceRegistry>());
    }

    [Fact]
    public async Task A_watcher_gets_PresenceChanged_when_a_contact_comes_online_and_goes_offline()
    {
        var aliceId = await RegisteredAsync("alice");
        await using var bob = await Factory.ConnectReadyAsync(Ids.User("bob"));
        var bobSees = bob.Record();
        await Factory.UploadContactsAsync(bob.UserId, aliceId);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5).ToUnixTimeMilliseconds();

        var alice = await Factory.ConnectReadyAsync(aliceId, register: false);
        var online = await bobSees.NextPresenceAsync();
        await alice.DisposeAsync();
        var offline = await bobSees.NextPresenceAsync();
        var seen = await bob.PresenceOfAsync(aliceId);

        Assert.Equal((aliceId, (bool?)true, (long?)null), (online.UserId, online.Online, online.LastSeen));
        Assert.Equal((aliceId, (bool?)false), (offline.UserId, offline.Online));
        Assert.InRange(offline.LastSeen!.Value, before, DateTimeOffset.UtcNow.AddSeconds(5).ToUnixTimeMilliseconds());
        Assert.Equal((false, offline.LastSeen), (seen.Online, seen.LastSeen));
    }

    [Fact]
    public async Task Only_the_first_connection_and_the_last_disconnection_are_announced()
    {
        var aliceId = await RegisteredAsync("alice");
        await using var bob = await Factory.ConnectReadyAsync(Ids.User("bob"));
        var bobSees = bob.Record();
        await Factory.UploadContactsAsync(bob.UserId, aliceId);

        var phone = await Factory.ConnectReadyAsync(aliceId, register: false);
        var first = await bobSees.NextPresenceAsync();
        await using var laptop = await Factory.ConnectReadyAsync(aliceId, register: false);
        await phone.DisposeAsync();
        await laptop.DisposeAsync();
        var last = await bobSees.NextPresenceAsync();
        await using var again = await Factory.ConnectReadyAsync(aliceId, register: false);
        var back = await bobSees.NextPresenceAsync();

        Assert.Equal([true, false, true], new[] { first, last, back }.Select(p => p.Online!.Value));
        Assert.All([first, last, back], p => Assert.Equal(aliceId, p.UserId));
    }

    [Fact]
    public async Task With_privacy_everyone_every_watcher_sees_presence()
    {
        var aliceId = await RegisteredAsync("alice");
        await using var bob = await Factory.ConnectReadyAsync(Ids.User("bob"));
        var bobSees = bob.Record();
        await Factory.UploadContactsAsync(bob.UserId, aliceId);
        await Factory.SetPrivacyAsync(aliceId, "everyone");

        await using var alice = await Factory.ConnectReadyAsync(aliceId, register: false);
        var pushed = await bobSees.NextPresenceAsync();
        var queried = await bob.PresenceOfAsync(aliceId);

        Assert.Equal((aliceId, (bool?)true), (pushed.UserId, pushed.Online));
        Assert.Equal(((bool?)true, (long?)null), (queried.Online, queried.LastSeen));
    }

    [Fact]
    public async Task With_privacy_contacts_only_watchers_in_the_users_own_book_see_presence()
    {
        var (aliceId, daveId) = (await RegisteredAsync("alice"), await RegisteredAsync("dave"));
        await using var bob = await Factory.ConnectReadyAsync(Ids.User("bob"));
        await using var carol = await Factory.ConnectReadyAsync(Ids.User("carol"));
        var (bobSees, carolSees) = (bob.Record(), carol.Record());
        await Factory.UploadContactsAsync(bob.UserId, aliceId, daveId);
        await Factory.UploadContactsAsync(carol.UserId, aliceId);
        await Factory.UploadContactsAsync(aliceId, carol.UserId);
        await Factory.SetPrivacyAsync(aliceId, "contacts");

        var alice = await Factory.ConnectReadyAsync(aliceId, register: false);
        var carolOnline = await carolSees.NextPresenceAsync();
        var bobQueried = await bob.PresenceOfAsync(aliceId);
        var carolQueried = await carol.PresenceOfAsync(aliceId);
        await alice.DisposeAsync();
        var carolOffline = await carolSees.NextPresenceAsync();
        await using var dave = await Factory.ConnectReadyAsync(daveId, register: false);
        var bobNext = await bobSees.NextPresenceAsync();

        Assert.Equal([(aliceId, true), (aliceId, false)], new[] { carolOnline, carolOffline }.Select(p => (p.UserId, p.Online!.Value)));
        Assert.Equal(((bool?)true, (long?)null), (carolQueried.Online, carolQueried.LastSeen));
        Assert.Equal(((bool?)null, (long?)null), (bobQueried.Online, bobQueried.LastSeen));
        // Alice's changes were published before Dave's: had Bob been sent them, they would have come first.
        Assert.Equal((daveId, (bool?)true), (bobNext.UserId, bobNext.Online));
        var (bobLater, carolLater) = (await bob.PresenceOfAsync(aliceId), await carol.PresenceOfAsync(aliceId));
        Assert.Equal(((bool?)null, (long?)null), (bobLater.Online, bobLater.LastSeen));
        Assert.Equal(((bool?)false, carolOffline.LastSeen), (carolLater.Online, carolLater.LastSeen));
    }

    [Fact]
    public async Task With_privacy_nobody_no_one_sees_presence_but_the_user()
    {
        var (aliceId, daveId) = (await RegisteredAsync("alice"), await RegisteredAsync("dave"));
        await using var carol = await Factory.ConnectReadyAsync(Ids.User("carol"));
        var carolSees = carol.Record();
        await Factory.UploadContactsAsync(carol.UserId, aliceId, daveId);
        await Factory.UploadContactsAsync(aliceId, carol.UserId);
        await Factory.SetPrivacyAsync(aliceId, "nobody");

        await using var alice = await Factory.ConnectReadyAsync(aliceId, register: false);
        // Connected and ready: Alice's change is queued before Dave's.
        var self = await alice.PresenceOfAsync(aliceId);
        await using var dave = await Factory.ConnectReadyAsync(daveId, register: false);
        var carolNext = await carolSees.NextPresenceAsync();
        var carolQueried = await carol.PresenceOfAsync(aliceId);

        Assert.Equal((daveId, (bool?)true), (carolNext.UserId, carolNext.Online));
        Assert.Equal(((bool?)null, (long?)null), (carolQueried.Online, carolQueried.LastSeen));
        Assert.Equal((bool?)true, self.Online);
    }

    [Fact]
    public async Task GetPresence_answers_each_distinct_id_in_order_and_unknown_users_are_offline()
    {
        var aliceId = await RegisteredAsync("alice");
        var ghost = Ids.User("ghost");
        await using var bob = await Factory.ConnectReadyAsync(Ids.User("bob"));

        var response = await bob.GetPresenceAsync(ghost, bob.UserId, aliceId, ghost);

        Assert.Equal([ghost, bob.UserId, aliceId], response.Presences.Select(p => p.UserId));
        Assert.Equal([false, true, false], response.Presences.Select(p => p.Online!.Value));
        Assert.All(response.Presences, p => Assert.Null(p.LastSeen));
    }

    [Fact]
    public async Task GetPresence_with_too_many_or_invalid_ids_fails_with_invalid_request()
    {
        await using var bob = await Factory.ConnectReadyAsync(Ids.User("bob"));
        var tooMany = Enumerable.Range(0, 501).Select(i => $"user-{i}").ToArray();

        Assert.Equal("invalid_request", await ChatClient.ErrorCodeOf(() => bob.GetPresenceAsync(tooMany)));
        Assert.Equal("invalid_request", await ChatClient.ErrorCodeOf(() => bob.GetPresenceAsync("Not Valid!")));
        Assert.Equal(500, (await bob.GetPresenceAsync(tooMany[..500])).Presences.Count);
    }

    [Fact]
    public async Task MessagePack_clients_get_presence_and_typing_with_the_same_field_names()
    {
        var aliceId = await RegisteredAsync("alice");
        await using var bob = await Factory.ConnectAsync(Ids.User("bob"), messagePack: true);
        Assert.Equal((bool?)true, (await bob.PresenceOfAsync(bob.UserId)).Online);
        var bobSees = bob.Record();
        await Factory.UploadContactsAsync(bob.UserId, aliceId);

        await using var alice = await Factory.ConnectReadyAsync(aliceId, register: false);
        var pushed = await bobSees.NextPresenceAsync();
        var queried = await bob.PresenceOfAsync(aliceId);
        await alice.TypingAsync(to: bob.UserId);
        var typing = await bobSees.NextTypingAsync();

        Assert.Equal((aliceId, (bool?)true, (long?)null), (pushed.UserId, pushed.Online, pushed.LastSeen));
        Assert.Equal((aliceId, (bool?)true), (queried.UserId, queried.Online));
        Assert.Equal((aliceId, (string?)null), (typing.From, typing.GroupId));
    }

    private async Task<string> RegisteredAsync(string name)
    {
        var id = Ids.User(name);
        await Factory.RegisterAsync(id);
        return id;
    }
}
