namespace Chat.BrowserTests.Infrastructure;

public static class Ids
{
    /// <summary>A user id unique to this run, readable in screenshots: alice-3f9a1c.</summary>
    public static string User(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..6]}";
}
