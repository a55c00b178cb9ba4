namespace Chat.Domain.Messaging;

public sealed record PendingPage(IReadOnlyList<Envelope> Envelopes, bool HasMore);
