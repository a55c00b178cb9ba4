using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.FaultTests.Load;

/// <summary>Reconnects quickly with jitter and never gives up (the default policy stops after four tries).</summary>
public sealed class ReconnectForever : IRetryPolicy
{
    public TimeSpan? NextRetryDelay(RetryContext retryContext) =>
        TimeSpan.FromMilliseconds(Math.Min(2000, 200 * (retryContext.PreviousRetryCount + 1)) + Random.Shared.Next(0, 300));
}
