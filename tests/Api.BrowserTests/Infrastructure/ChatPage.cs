using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.BrowserTests.Infrastructure;

/// <summary>The chat client in one browser profile, driven as a user would: through its forms, buttons and keys.</summary>
public sealed class ChatPage(IPage page, string userId)
{
    public const string Password = "correct horse battery";

    public IPage Page => page;

    public string UserId => userId;

    public string Key => "u:" + userId;

    public static async Task<ChatPage> OpenAsync(BrowserFixture fixture, string userId, int width = 1280, int height = 800) =>
        new(await fixture.OpenAsync("/", width, height), userId);

    public ILocator LinkState => page.GetByTestId("link-state");

    public ILocator LinkDetail => page.GetByTestId("link-detail");

    public ILocator Subtitle => page.GetByTestId("chat-subtitle");

    public ILocator Composer => page.GetByTestId("composer");

    public ILocator MessageTexts => page.GetByTestId("messages").GetByTestId("message-text");

    public ILocator ChatItem(string chatKey) => page.Locator($"[data-testid=chat-item][data-chat='{chatKey}']");

    public ILocator ChatItemNamed(string name) => page.Locator($"[data-testid=chat-item][data-name='{name}']");

    public ILocator Unread(string chatKey) => ChatItem(chatKey).GetByTestId("unread");

    /// <summary>The tick of the outgoing message with this text.</summary>
    public ILocator Tick(string text) =>
        page.Locator("[data-testid=message].out", new PageLocatorOptions { Has = page.GetByTestId("message-text").GetByText(text, new LocatorGetByTextOptions { Exact = true }) }).GetByTestId("tick");

    /// <summary>Fills the sign-in form and presses Register (or Sign in); does not wait for the connection.</summary>
    public async Task SubmitSignInAsync(bool register)
    {
        await page.GetByTestId("signin-user").FillAsync(userId);
        await page.GetByTestId("signin-password").FillAsync(Password);
        await page.GetByTestId(register ? "register" : "signin-submit").ClickAsync();
        await Expect(page.GetByTestId("me")).ToHaveTextAsync(userId);
    }

    public async Task RegisterAsync()
    {
        await SubmitSignInAsync(register: true);
        await ExpectOnlineAsync();
    }

    public Task ExpectOnlineAsync() => Expect(LinkState).ToHaveAttributeAsync("data-state", "online");

    public async Task AddContactAsync(string contactId)
    {
        await page.GetByTestId("add-contact-id").FillAsync(contactId);
        await page.GetByTestId("add-contact-submit").ClickAsync();
        await Expect(ChatItem("u:" + contactId)).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync(contactId); // the new chat opens
    }

    /// <summary>Back to the chat list, as on a phone; with no chat open, new messages count as unread.</summary>
    public async Task BackAsync()
    {
        var back = page.GetByTestId("back");
        if (await back.IsVisibleAsync())
        {
            await back.ClickAsync();
        }
        else
        {
            await page.Keyboard.PressAsync("Escape"); // the desktop layout has no back button
        }

        await Expect(page.GetByTestId("chat-list")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("composer")).ToBeHiddenAsync();
    }

    public async Task OpenChatAsync(string chatKey)
    {
        await ChatItem(chatKey).ClickAsync();
        await Expect(page.GetByTestId("composer")).ToBeVisibleAsync();
    }

    /// <summary>Types the text and presses Enter, as a user sends.</summary>
    public async Task SendAsync(string text)
    {
        await Composer.FillAsync(text);
        await Composer.PressAsync("Enter");
        await Expect(Tick(text)).ToBeVisibleAsync();
    }

    /// <summary>Takes the browser off the network: the client drops its connection and waits for the network.</summary>
    public async Task GoOfflineAsync()
    {
        await page.Context.SetOfflineAsync(true);
        await Expect(LinkState).ToHaveAttributeAsync("data-state", "offline");
    }

    public async Task GoOnlineAsync()
    {
        await page.Context.SetOfflineAsync(false);
        await ExpectOnlineAsync();
    }

    public Task ExpectTickAsync(string text, string status) => Expect(Tick(text)).ToHaveAttributeAsync("data-status", status);

    public static Regex Containing(string text) => new(Regex.Escape(text));
}
