namespace Chat.IntegrationTests.Infrastructure;

public static class Ids
{
    /// <summary>A fresh valid user id, so tests sharing a database never collide.</summary>
    public static string User(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..10]}";
}
