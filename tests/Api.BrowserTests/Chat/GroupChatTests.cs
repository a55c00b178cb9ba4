using System.Net.Http.Headers;
using System.Net.Http.Json;
using Chat.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chat.BrowserTests.Chat;

[Collection(BrowserCollection.Name)]
public sealed class GroupChatTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task A_group_of_three_is_created_grown_and_exchanges_messages()
    {
        var carol = await ChatPage.OpenAsync(Fixture, Ids.User("carol"));
        var dave = await ChatPage.OpenAsync(Fixture, Ids.User("dave"));
        var erin = await ChatPage.OpenAsync(Fixture, Ids.User("erin"));
        foreach (var user in new[] { carol, dave, erin })
        {
            await user.RegisterAsync();
        }

        await carol.AddContactAsync(dave.UserId);
        await carol.AddContactAsync(erin.UserId);
        var name = "trio " + Guid.NewGuid().ToString("N")[..4];

        // Created with one member; the second is added from the members panel.
        await carol.Page.GetByTestId("new-group").ClickAsync();
        await carol.Page.GetByTestId("group-name").FillAsync(name);
        await carol.Page.GetByTestId("group-dialog").GetByText(dave.UserId).ClickAsync();
        await carol.Page.GetByTestId("group-create").ClickAsync();
        await Expect(carol.Page.GetByTestId("chat-title")).ToHaveTextAsync(name);
        await carol.Page.GetByTestId("members-toggle").ClickAsync();
        await carol.Page.GetByTestId("add-member-id").FillAsync(erin.UserId);
        await carol.Page.GetByTestId("add-member-submit").ClickAsync();
        await Expect(carol.Page.GetByTestId("member")).ToHaveTextAsync([carol.UserId, dave.UserId, erin.UserId]);

        await dave.ChatItemNamed(name).ClickAsync();
        await erin.ChatItemNamed(name).ClickAsync();
        await Expect(erin.Subtitle).ToContainTextAsync(dave.UserId); // erin learns the members added before her
        await carol.SendAsync("hi all");
        await Expect(dave.MessageTexts).ToHaveTextAsync(["hi all"]);
        await Expect(erin.MessageTexts).ToHaveTextAsync(["hi all"]);
        await dave.SendAsync("hey");
        await Expect(erin.MessageTexts).ToHaveTextAsync(["hi all", "hey"]);
        await erin.SendAsync("yo");

        string[] all = ["hi all", "hey", "yo"];
        await Expect(carol.MessageTexts).ToHaveTextAsync(all);
        await Expect(dave.MessageTexts).ToHaveTextAsync(all);
        await Expect(erin.MessageTexts).ToHaveTextAsync(all);
        await Expect(dave.Page.Locator("[data-testid=message].in .sender").First).ToHaveTextAsync(carol.UserId);
        await carol.ExpectTickAsync("hi all", "read"); // read by both members
        await erin.ExpectTickAsync("yo", "read");
        await BrowserFixture.ScreenshotAsync(dave.Page, "chat-group");
    }

    [Fact]
    public async Task A_refused_send_shows_its_error_and_a_retry_sends_it_once()
    {
        var dave = await ChatPage.OpenAsync(Fixture, Ids.User("dave"));
        var carol = await ChatPage.OpenAsync(Fixture, Ids.User("carol"));
        await dave.RegisterAsync();
        await carol.RegisterAsync();
        await dave.AddContactAsync(carol.UserId);
        await dave.Page.GetByTestId("new-group").ClickAsync();
        await dave.Page.GetByTestId("group-name").FillAsync("pair");
        await dave.Page.GetByTestId("group-dialog").GetByText(carol.UserId).ClickAsync();
        await dave.Page.GetByTestId("group-create").ClickAsync();
        await carol.ChatItemNamed("pair").ClickAsync();
        var groupId = (await carol.ChatItemNamed("pair").GetAttributeAsync("data-chat"))![2..];
        using var asDave = await RestAsAsync(dave.UserId);

        (await asDave.DeleteAsync($"/api/groups/{groupId}/members/{carol.UserId}")).EnsureSuccessStatusCode();
        await Expect(carol.Subtitle).ToHaveTextAsync("you are no longer a member");
        await carol.SendAsync("let me back in");
        await carol.ExpectTickAsync("let me back in", "failed");
        await Expect(carol.Page.GetByTestId("send-error")).ToContainTextAsync("forbidden:");
        (await asDave.PostAsJsonAsync($"/api/groups/{groupId}/members", new { userIds = new[] { carol.UserId } })).EnsureSuccessStatusCode();
        await Expect(carol.Subtitle).Not.ToHaveTextAsync("you are no longer a member");
        await carol.Page.GetByTestId("retry").ClickAsync();

        await carol.ExpectTickAsync("let me back in", "read");
        await Expect(dave.MessageTexts).ToHaveTextAsync(["let me back in"]);
        await Expect(carol.Page.GetByTestId("send-error")).ToHaveCountAsync(0);
    }

    private async Task<HttpClient> RestAsAsync(string userId)
    {
        var http = new HttpClient { BaseAddress = Fixture.Server.BaseAddress };
        using var response = await http.PostAsJsonAsync("/api/tokens", new { userId, password = ChatPage.Password });
        var token = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<TokenBody>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        return http;
    }

    private sealed record TokenBody(string AccessToken);
}
