using Microsoft.Playwright;

namespace Chat.BrowserTests.Infrastructure;

/// <summary>
/// One server and one headless Chromium shared by every browser test; the tests run one after another (they
/// share a node, and the dashboard test closes its login gate). Chromium is the system's (Debian's chromium
/// package, which scripts/test.sh installs), never a browser that Playwright downloads.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("CHAT_TEST_CHROMIUM") ?? "/usr/bin/chromium";

    private readonly List<IBrowserContext> _contexts = [];
    private IPlaywright? _playwright;

    public KestrelApiFactory Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"no Chromium at {ChromiumPath}: run the tests with scripts/test.sh (it installs Debian's chromium), or set CHAT_TEST_CHROMIUM.");
        }

        Assertions.SetDefaultExpectTimeout(20_000);
        Server = await KestrelApiFactory.StartAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>A fresh browser profile (its own storage, like another device) with the page open at the server.</summary>
    public async Task<IPage> OpenAsync(string path = "/", int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        lock (_contexts)
        {
            _contexts.Add(context);
        }

        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        return page;
    }

    /// <summary>Closes every page opened so far, so one test's open sessions and polling do not load the next.</summary>
    public async Task CloseContextsAsync()
    {
        IBrowserContext[] contexts;
        lock (_contexts)
        {
            contexts = [.. _contexts];
            _contexts.Clear();
        }

        foreach (var context in contexts)
        {
            await context.CloseAsync();
        }
    }

    /// <summary>Saves a screenshot when CHAT_SCREENSHOTS names a folder (how docs/images was made).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("CHAT_SCREENSHOTS");
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png") });
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
