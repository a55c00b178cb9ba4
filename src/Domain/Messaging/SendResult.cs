namespace Chat.Domain.Messaging;

/// <summary>What the sender is told once its message is durable (the single tick).</summary>
public sealed record SendResult(Guid MessageId, DateTimeOffset ServerTimestamp);
