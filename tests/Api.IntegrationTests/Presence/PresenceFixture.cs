using Chat.IntegrationTests.Infrastructure;

namespace Chat.IntegrationTests.Presence;

/// <summary>
/// One node whose presence changes all go through a single fan-out lane, so they reach a watcher in the
/// order they happened: a test proves that something was NOT pushed by waiting for a later push.
/// Typing allows 3 notifications per minute, so the limit is reached without racing the clock.
/// </summary>
public sealed class PresenceFixture : IAsyncLifetime
{
    public const int TypingLimit = 3;

    public ApiFactory Factory { get; } = new()
    {
        Settings =
        {
            ["Presence:FanoutLanes"] = "1",
            ["Typing:MaxPerWindow"] = TypingLimit.ToString(),
            ["Typing:Window"] = "00:01:00",
        },
    };

    public Task InitializeAsync() => Factory.InitializeAsync();

    public Task DisposeAsync() => Factory.DisposeAsync();
}
