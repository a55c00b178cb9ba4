namespace Chat.BrowserTests.Infrastructure;

/// <summary>A browser test: closes the pages it opened when it ends.</summary>
public abstract class BrowserTest(BrowserFixture fixture) : IAsyncLifetime
{
    protected BrowserFixture Fixture => fixture;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => fixture.CloseContextsAsync();
}
