using Chat.Domain.Messaging;
using Chat.Hubs.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Chat.Hubs.Chat;

/// <summary>Pushes committed envelopes through each recipient's user group; the backplane carries them to other nodes.</summary>
public sealed partial class SignalREnvelopeNotifier(IHubContext<ChatHub, IChatClient> hub, ChatMetrics metrics, ILogger<SignalREnvelopeNotifier> logger) : IEnvelopeNotifier
{
    public async Task NotifyAsync(IReadOnlyList<AddressedEnvelope> envelopes, CancellationToken cancellationToken)
    {
        foreach (var item in envelopes)
        {
            try
            {
                await hub.Clients.Group(UserGroups.For(item.UserId)).ReceiveMessage(EnvelopeDto.Of(item.Envelope));
                metrics.EnvelopePushed();
            }
            catch (Exception e)
            {
                // Best effort by design: the envelope is stored and the client will fetch it.
                LogPushFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Push failed; the recipient will sync from the store")]
    private static partial void LogPushFailed(ILogger logger, Exception exception);
}
