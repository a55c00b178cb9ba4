namespace Chat.Domain.Push;

/// <summary>An envelope was stored for a device: the device may need waking. Never carries the payload.</summary>
public readonly record struct WakeUp(string UserId, int DeviceId, string From);

/// <summary>One call to the gateway's device: its token, who wrote last and how many envelopes are pending.</summary>
public sealed record WakeUpNotification(string Provider, string Token, string UserId, int DeviceId, string From, long Pending);

/// <summary>What the gateway answered for a batch.</summary>
public sealed record PushGatewayResult(bool Delivered, bool Retry, IReadOnlyList<string> DeadTokens)
{
    public static PushGatewayResult Ok(IReadOnlyList<string> deadTokens) => new(true, false, deadTokens);

    public static PushGatewayResult Transient { get; } = new(false, true, []);

    public static PushGatewayResult Refused { get; } = new(false, false, []);
}

/// <summary>The push gateway (it talks to FCM and APNs); the hook posts wake-ups to it.</summary>
public interface IPushGateway
{
    Task<PushGatewayResult> SendAsync(IReadOnlyList<WakeUpNotification> batch, CancellationToken cancellationToken);
}
