namespace Chat.IntegrationTests.Infrastructure;

/// <summary>A class fixture of the embedded default (SQLite, no Redis), for test classes shared with the PostgreSQL host.</summary>
public sealed class EmbeddedApiFactory : IAsyncLifetime
{
    public ApiFactory Factory { get; } = new() { Embedded = true };

    public static implicit operator ApiFactory(EmbeddedApiFactory fixture) => fixture.Factory;

    public Task InitializeAsync() => Factory.InitializeAsync();

    public Task DisposeAsync() => Factory.DisposeAsync();
}
