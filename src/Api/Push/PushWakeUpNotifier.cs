using System.Threading.Channels;
using Chat.Domain.Messaging;
using Chat.Domain.Push;

namespace Chat.Api.Push;

/// <summary>
/// Wraps the live-push notifier: after the envelopes are handed to it, each one also becomes a wake-up candidate
/// for the push hook. Only a TryWrite into a bounded queue that sheds its oldest item, so a slow or failing
/// gateway never holds up a mailbox worker.
/// </summary>
public sealed class PushWakeUpNotifier(IEnvelopeNotifier inner, Channel<WakeUp> queue, PushMetrics metrics) : IEnvelopeNotifier
{
    public async Task NotifyAsync(IReadOnlyList<AddressedEnvelope> envelopes, CancellationToken cancellationToken)
    {
        await inner.NotifyAsync(envelopes, cancellationToken);
        foreach (var item in envelopes)
        {
            queue.Writer.TryWrite(new WakeUp(item.UserId, item.DeviceId, item.Envelope.From));
        }

        metrics.Queued(envelopes.Count);
    }
}
