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
}
