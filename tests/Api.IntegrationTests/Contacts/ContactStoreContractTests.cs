using Chat.Domain.Accounts;
using Chat.Domain.Contacts;

namespace Chat.IntegrationTests.Contacts;

/// <summary>The contract every contact store keeps; runs against PostgreSQL and against the embedded SQLite store.</summary>
public abstract class ContactStoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected IContactStore Store { get; set; } = null!;

    protected IAccountStore Accounts { get; set; } = null!;

    public abstract Task InitializeAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Replace_keeps_registered_ids_in_the_given_order_and_replaces_the_previous_edges()
    {
        var (owner, ann, ben, cid) = (await UserAsync(), await UserAsync(), await UserAsync(), await UserAsync());
        var stranger = "stranger-" + Guid.NewGuid().ToString("N")[..8];

        var first = await Store.ReplaceAsync(owner, [ben, stranger, ann], default);
        var second = await Store.ReplaceAsync(owner, [cid, ben], default);

        Assert.Equal([ben, ann], first);
        Assert.Equal([cid, ben], second);
        Assert.Equal(new[] { ben, cid }.Order(StringComparer.Ordinal), await Store.ListAsync(owner, default));
        Assert.Empty(await Store.GetWatchersAsync(ann, false, null, 10, default));
        Assert.Equal([owner], await Store.GetWatchersAsync(cid, false, null, 10, default));
    }

    [Fact]
    public async Task Remove_deletes_both_directions_and_reports_a_missing_edge()
    {
        var (owner, ann) = (await UserAsync(), await UserAsync());
        await Store.ReplaceAsync(owner, [ann], default);

        Assert.True(await Store.RemoveAsync(owner, ann, default));
        Assert.False(await Store.RemoveAsync(owner, ann, default));
        Assert.Empty(await Store.ListAsync(owner, default));
        Assert.Empty(await Store.GetWatchersAsync(ann, false, null, 10, default));
    }

    [Fact]
    public async Task Watchers_page_in_id_order_and_mutual_keeps_only_contacts_of_the_user()
    {
        var star = await UserAsync();
        var fans = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var fan = await UserAsync();
            fans.Add(fan);
            await Store.ReplaceAsync(fan, [star], default);
        }

        await Store.ReplaceAsync(star, [fans[1], fans[3]], default);
        var sorted = fans.Order(StringComparer.Ordinal).ToList();

        var page1 = await Store.GetWatchersAsync(star, false, null, 3, default);
        var page2 = await Store.GetWatchersAsync(star, false, page1[^1], 3, default);
        var mutual = await Store.GetWatchersAsync(star, true, null, 10, default);

        Assert.Equal(sorted.Take(3), page1);
        Assert.Equal(sorted.Skip(3), page2);
        Assert.Equal(new[] { fans[1], fans[3] }.Order(StringComparer.Ordinal), mutual);
    }

    [Fact]
    public async Task Owners_among_are_those_who_have_the_contact_in_their_book()
    {
        var (ann, ben, cid, dee) = (await UserAsync(), await UserAsync(), await UserAsync(), await UserAsync());
        await Store.ReplaceAsync(ann, [dee], default);
        await Store.ReplaceAsync(ben, [dee], default);
        await Store.ReplaceAsync(dee, [cid], default);

        var owners = await Store.GetOwnersAmongAsync(dee, [ann, cid, ben], default);

        Assert.Equal(new[] { ann, ben }.Order(StringComparer.Ordinal), owners.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Settings_default_to_everyone_and_keep_privacy_and_last_seen_apart()
    {
        var (ann, ben) = (await UserAsync(), await UserAsync());

        var before = await Store.GetSettingsAsync([ann, ben], default);
        await Store.SetPrivacyAsync(ann, LastSeenPrivacy.Nobody, default);
        await Store.SetLastSeenAsync(ann, T0, default);
        await Store.SetLastSeenAsync(ben, T0.AddMinutes(1), default);
        await Store.SetPrivacyAsync(ben, LastSeenPrivacy.Contacts, default);
        var after = await Store.GetSettingsAsync([ann, ben], default);

        Assert.Empty(before);
        Assert.Equal(new PresenceSettings(LastSeenPrivacy.Nobody, T0), after[ann]);
        Assert.Equal(new PresenceSettings(LastSeenPrivacy.Contacts, T0.AddMinutes(1)), after[ben]);
    }

    private async Task<string> UserAsync()
    {
        var id = "u-" + Guid.NewGuid().ToString("N")[..12];
        Assert.True(await Accounts.CreateAsync(id, "hash", T0, default));
        return id;
    }
}
