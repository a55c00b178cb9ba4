using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Chat.BrowserTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.BrowserTests.Dashboard;

[Collection(BrowserCollection.Name)]
public sealed class DashboardTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private static readonly Regex AboveZero = new(@"^(?!0$)\d");

    private async Task<IPage> SignInWithKeyAsync()
    {
        var admin = await Fixture.OpenAsync("/admin", 1400, 1000);
        await admin.GetByTestId("mode-key").CheckAsync();
        await admin.GetByTestId("admin-key").FillAsync(KestrelApiFactory.AdminApiKey);
        await admin.GetByTestId("admin-signin").ClickAsync();
        await Expect(admin.GetByTestId("gate-state")).ToHaveTextAsync("open");
        return admin;
    }

    [Fact]
    public async Task Charts_move_under_load_and_closing_the_gate_refuses_new_sessions_only()
    {
        await using var secondNode = await KestrelApiFactory.StartAsync(Fixture.Server.ConnectionString, Fixture.Server.RedisPrefix);
        var alice = await ChatPage.OpenAsync(Fixture, Ids.User("alice"));
        var bob = await ChatPage.OpenAsync(Fixture, Ids.User("bob"));
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        await alice.AddContactAsync(bob.UserId);
        await bob.AddContactAsync(alice.UserId);
        var admin = await SignInWithKeyAsync();

        await Expect(admin.GetByTestId("node-row")).ToHaveCountAsync(2); // both nodes, through Redis
        await using (var load = await SmallLoad.StartAsync(Fixture.Server.BaseAddress))
        {
            await Expect(admin.GetByTestId("chart-rates")).ToHaveAttributeAsync("data-max", AboveZero);
            await Expect(admin.GetByTestId("chart-connections")).ToHaveAttributeAsync("data-max", AboveZero);
            await BrowserFixture.ScreenshotAsync(admin, "dashboard");
        }

        try
        {
            await admin.GetByTestId("gate-switch").ClickAsync();
            await Expect(admin.GetByTestId("gate-state")).ToHaveTextAsync("closed");
            await Expect(admin.GetByTestId("gate-reason")).ToContainTextAsync("forced by an operator");

            var carol = await ChatPage.OpenAsync(Fixture, Ids.User("carol"));
            await carol.SubmitSignInAsync(register: true);
            await Expect(carol.LinkState).ToHaveAttributeAsync("data-state", "refused");
            await Expect(carol.LinkDetail).ToContainTextAsync("overloaded: the server is not admitting new sessions");

            await alice.SendAsync("still here"); // sessions opened before the gate closed keep working
            await Expect(bob.MessageTexts).ToHaveTextAsync(["still here"]);
            await alice.ExpectTickAsync("still here", "read");

            await admin.GetByTestId("gate-switch").ClickAsync();
            await Expect(admin.GetByTestId("gate-state")).ToHaveTextAsync("open");
            await carol.ExpectOnlineAsync(); // the refused client tried again after Retry-After
        }
        finally
        {
            using var http = new HttpClient { BaseAddress = Fixture.Server.BaseAddress };
            http.DefaultRequestHeaders.Add("X-Admin-Key", KestrelApiFactory.AdminApiKey);
            (await http.PostAsJsonAsync("/admin/gate", new { open = (bool?)null })).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task Admin_users_sign_in_with_their_password_and_other_users_are_refused()
    {
        using var http = new HttpClient { BaseAddress = Fixture.Server.BaseAddress };
        var plain = Ids.User("plain");
        await http.PostAsJsonAsync("/api/accounts", new { userId = KestrelApiFactory.AdminUser, password = ChatPage.Password }); // 409 when an earlier test made it
        (await http.PostAsJsonAsync("/api/accounts", new { userId = plain, password = ChatPage.Password })).EnsureSuccessStatusCode();
        var page = await Fixture.OpenAsync("/admin/");

        await page.GetByTestId("admin-user").FillAsync(plain);
        await page.GetByTestId("admin-password").FillAsync(ChatPage.Password);
        await page.GetByTestId("admin-signin").ClickAsync();
        await Expect(page.GetByTestId("admin-signin-error")).ToContainTextAsync("forbidden");
        await page.GetByTestId("admin-user").FillAsync(KestrelApiFactory.AdminUser);
        await page.GetByTestId("admin-signin").ClickAsync();

        await Expect(page.GetByTestId("gate-state")).ToHaveTextAsync("open");
        await Expect(page.GetByTestId("node-row")).Not.ToHaveCountAsync(0);
    }
}
