using Chat.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chat.BrowserTests.Chat;

[Collection(BrowserCollection.Name)]
public sealed class OneToOneChatTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task Two_users_add_each_other_and_see_ticks_go_from_sent_to_delivered_to_read()
    {
        var alice = await ChatPage.OpenAsync(Fixture, Ids.User("alice"));
        var bob = await ChatPage.OpenAsync(Fixture, Ids.User("bob"));
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        await alice.AddContactAsync(bob.UserId);
        await bob.AddContactAsync(alice.UserId);
        await alice.OpenChatAsync(bob.Key);
        await Expect(alice.Subtitle).ToHaveTextAsync("online");

        await bob.BackAsync();
        await bob.GoOfflineAsync();
        await alice.SendAsync("hello bob");

        await alice.ExpectTickAsync("hello bob", "sent");
        await bob.GoOnlineAsync();
        await alice.ExpectTickAsync("hello bob", "delivered");
        await Expect(bob.Unread(alice.Key)).ToHaveTextAsync("1");
        await bob.OpenChatAsync(alice.Key);
        await alice.ExpectTickAsync("hello bob", "read");
        await Expect(bob.Unread(alice.Key)).ToHaveCountAsync(0);

        await bob.Composer.PressSequentiallyAsync("hi al");
        await Expect(alice.Subtitle).ToHaveTextAsync("typing…");
        await bob.Composer.PressSequentiallyAsync("ice");
        await bob.Composer.PressAsync("Enter");
        await Expect(alice.MessageTexts).ToHaveTextAsync(["hello bob", "hi alice"]);
        await bob.ExpectTickAsync("hi alice", "read");
        await Expect(bob.Composer).ToHaveValueAsync("");
        await BrowserFixture.ScreenshotAsync(alice.Page, "chat-desktop");

        await bob.Page.GetByTestId("signout").ClickAsync();
        await Expect(alice.Subtitle).ToContainTextAsync("last seen");
    }

    [Fact]
    public async Task A_user_who_was_offline_gets_every_message_once_and_in_order()
    {
        var alice = await ChatPage.OpenAsync(Fixture, Ids.User("alice"));
        var bob = await ChatPage.OpenAsync(Fixture, Ids.User("bob"), width: 390, height: 780);
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        await alice.AddContactAsync(bob.UserId);
        await bob.AddContactAsync(alice.UserId);
        await bob.BackAsync();
        await alice.OpenChatAsync(bob.Key);
        string[] texts = ["one", "two", "three", "four", "five", "six"];

        await bob.GoOfflineAsync();
        foreach (var text in texts)
        {
            await alice.SendAsync(text);
        }

        foreach (var text in texts)
        {
            await alice.ExpectTickAsync(text, "sent");
        }

        await bob.GoOnlineAsync();

        await Expect(bob.Unread(alice.Key)).ToHaveTextAsync(texts.Length.ToString());
        await bob.OpenChatAsync(alice.Key);
        await Expect(bob.MessageTexts).ToHaveTextAsync(texts);
        await alice.ExpectTickAsync("six", "read");
        await BrowserFixture.ScreenshotAsync(bob.Page, "chat-phone");

        // The history lives in the browser (the server deleted what was acknowledged): a reload shows it once.
        await bob.Page.ReloadAsync();
        await bob.ExpectOnlineAsync();
        await bob.OpenChatAsync(alice.Key);
        await Expect(bob.MessageTexts).ToHaveTextAsync(texts);
        await Expect(bob.Page.GetByTestId("back")).ToBeVisibleAsync(); // the phone layout shows one pane at a time
        await Expect(bob.Page.GetByTestId("chat-list")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_session_whose_token_expires_goes_back_to_sign_in()
    {
        var alice = await ChatPage.OpenAsync(Fixture, Ids.User("alice"));
        await alice.RegisterAsync();

        // The token's expiry as the client keeps it, moved two seconds ahead: the client must notice by itself.
        await alice.Page.EvaluateAsync("""
            () => {
                const session = JSON.parse(sessionStorage.getItem("chat.session"));
                session.expiresAt = Date.now() + 2000;
                sessionStorage.setItem("chat.session", JSON.stringify(session));
            }
            """);
        await alice.Page.ReloadAsync();
        await alice.ExpectOnlineAsync();

        await Expect(alice.Page.GetByTestId("signin-error")).ToContainTextAsync("expired");
        await Expect(alice.Page.GetByTestId("signin-user")).ToBeVisibleAsync();
        Assert.Null(await alice.Page.EvaluateAsync<string?>("() => sessionStorage.getItem('chat.session')"));
    }
}
