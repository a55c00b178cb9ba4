namespace Chat.Domain.Messaging;

/// <summary>
/// Pushes committed envelopes to the recipient's live connections on any node. Best effort: the store is
/// the truth and clients drain it on reconnect, so a failed push loses nothing.
/// </summary>
public interface IEnvelopeNotifier
{
    Task NotifyAsync(IReadOnlyList<AddressedEnvelope> envelopes, CancellationToken cancellationToken);
}
