using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chat.IntegrationTests.Infrastructure;
using Dapper;
using Npgsql;

namespace Chat.IntegrationTests.Contacts;

public sealed class ContactsApiTests(ContactsApiFactory fixture) : IClassFixture<ContactsApiFactory>
{
    private ApiFactory Factory => fixture.Factory;

    [Fact]
    public async Task Upload_answers_which_ids_are_registered_and_keeps_only_those()
    {
        var owner = await RegisteredAsync("owner");
        var (ann, ben) = (await RegisteredAsync("ann"), await RegisteredAsync("ben"));
        var stranger = Ids.User("stranger");

        var registered = await Factory.UploadContactsAsync(owner, ben, stranger, ann, ben, owner);

        Assert.Equal([ben, ann], registered);
        Assert.Equal(new[] { ann, ben }.Order(StringComparer.Ordinal), await ContactsOfAsync(owner));
        Assert.Equal([owner], await OwnersInDatabaseAsync(ann));
        Assert.Equal([owner], await OwnersInDatabaseAsync(ben));
        Assert.Empty(await OwnersInDatabaseAsync(stranger));
    }

    [Fact]
    public async Task Upload_replaces_the_previous_address_book_in_both_directions()
    {
        var owner = await RegisteredAsync("owner");
        var (ann, ben, cid) = (await RegisteredAsync("ann"), await RegisteredAsync("ben"), await RegisteredAsync("cid"));
        await Factory.UploadContactsAsync(owner, ann, ben);

        var registered = await Factory.UploadContactsAsync(owner, ben, cid);

        Assert.Equal([ben, cid], registered);
        Assert.Equal(new[] { ben, cid }.Order(StringComparer.Ordinal), await ContactsOfAsync(owner));
        Assert.Empty(await OwnersInDatabaseAsync(ann));
        Assert.Equal([owner], await OwnersInDatabaseAsync(cid));
        Assert.Empty(await Factory.UploadContactsAsync(owner));
        Assert.Empty(await ContactsOfAsync(owner));
    }

    [Fact]
    public async Task Delete_removes_a_contact_and_deleting_a_non_contact_is_a_404_problem()
    {
        var owner = await RegisteredAsync("owner");
        var (ann, ben) = (await RegisteredAsync("ann"), await RegisteredAsync("ben"));
        await Factory.UploadContactsAsync(owner, ann, ben);
        using var client = await Factory.ClientForAsync(owner);

        using var deleted = await client.DeleteAsync($"/api/contacts/{ann}").OrTimeout();
        using var again = await client.DeleteAsync($"/api/contacts/{ann}").OrTimeout();

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal([ben], await ContactsOfAsync(owner));
        Assert.Empty(await OwnersInDatabaseAsync(ann));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("not_found", await ProblemCodeAsync(again));
    }

    [Fact]
    public async Task Upload_with_an_invalid_id_is_a_400_problem_and_keeps_the_previous_book()
    {
        var owner = await RegisteredAsync("owner");
        var ann = await RegisteredAsync("ann");
        await Factory.UploadContactsAsync(owner, ann);

        using var response = await Factory.PutContactsAsync(owner, ann, "Not A User!");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await ProblemCodeAsync(response));
        Assert.Equal([ann], await ContactsOfAsync(owner));
    }

    [Fact]
    public async Task Upload_over_the_configured_maximum_is_a_400_problem()
    {
        var owner = await RegisteredAsync("owner");
        var atLimit = Enumerable.Range(0, ContactsApiFactory.MaxUpload).Select(i => $"nobody-{i}").ToArray();

        using var accepted = await Factory.PutContactsAsync(owner, atLimit);
        using var rejected = await Factory.PutContactsAsync(owner, [.. atLimit, "one-too-many"]);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Equal("invalid_request", await ProblemCodeAsync(rejected));
    }

    [Fact]
    public async Task Upload_without_a_list_is_a_400_problem()
    {
        var owner = await RegisteredAsync("owner");
        using var client = await Factory.ClientForAsync(owner);

        using var response = await client.PutAsJsonAsync("/api/contacts", new { other = 1 }).OrTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await ProblemCodeAsync(response));
    }

    [Fact]
    public async Task Contacts_and_privacy_need_a_signed_in_user()
    {
        using var client = Factory.CreateClient();

        using var contacts = await client.GetAsync("/api/contacts").OrTimeout();
        using var privacy = await client.PutAsJsonAsync("/api/me/privacy", new { lastSeen = "nobody" }).OrTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, contacts.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, privacy.StatusCode);
    }

    [Fact]
    public async Task Privacy_is_everyone_by_default_and_can_be_changed()
    {
        var owner = await RegisteredAsync("owner");
        using var client = await Factory.ClientForAsync(owner);

        var initial = await client.GetFromJsonAsync<JsonElement>("/api/me/privacy").OrTimeout();
        using var set = await client.PutAsJsonAsync("/api/me/privacy", new { lastSeen = "contacts" }).OrTimeout();
        var after = await client.GetFromJsonAsync<JsonElement>("/api/me/privacy").OrTimeout();
        using var bad = await client.PutAsJsonAsync("/api/me/privacy", new { lastSeen = "friends" }).OrTimeout();

        Assert.Equal("everyone", initial.GetProperty("lastSeen").GetString());
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("contacts", after.GetProperty("lastSeen").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("invalid_request", await ProblemCodeAsync(bad));
    }

    private async Task<string> RegisteredAsync(string name)
    {
        var id = Ids.User(name);
        await Factory.RegisterAsync(id);
        return id;
    }

    private async Task<List<string>> ContactsOfAsync(string owner)
    {
        using var client = await Factory.ClientForAsync(owner);
        var body = await client.GetFromJsonAsync<JsonElement>("/api/contacts").OrTimeout();
        return body.GetProperty("contacts").EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    private async Task<List<string>> OwnersInDatabaseAsync(string contact)
    {
        await using var connection = new NpgsqlConnection(Factory.ConnectionString);
        return (await connection.QueryAsync<string>("SELECT owner_id FROM contact_of WHERE user_id = @contact", new { contact })).AsList();
    }

    private static async Task<string?> ProblemCodeAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("code").GetString();
    }
}
