namespace Chat.IntegrationTests.Infrastructure;

public static class TaskTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(15);

    /// <summary>Bounds an await so that a missing message fails the test fast instead of hanging it.</summary>
    public static Task<T> OrTimeout<T>(this Task<T> task, TimeSpan? timeout = null) => task.WaitAsync(timeout ?? Default);

    public static Task OrTimeout(this Task task, TimeSpan? timeout = null) => task.WaitAsync(timeout ?? Default);
}
