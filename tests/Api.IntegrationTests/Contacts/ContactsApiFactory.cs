using Chat.IntegrationTests.Infrastructure;

namespace Chat.IntegrationTests.Contacts;

/// <summary>A host with a small upload limit, so the oversize case needs only a few ids.</summary>
public sealed class ContactsApiFactory : IAsyncLifetime
{
    public const int MaxUpload = 10;

    public ApiFactory Factory { get; } = new() { Settings = { ["Contacts:MaxUpload"] = MaxUpload.ToString() } };

    public Task InitializeAsync() => Factory.InitializeAsync();

    public Task DisposeAsync() => Factory.DisposeAsync();
}
