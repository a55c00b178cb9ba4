using System.Threading.Channels;
using Chat.Domain.Devices;
using Chat.Domain.Messaging;
using Chat.Hubs.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chat.Hubs.Chat;

/// <summary>
/// Pushes committed envelopes to each recipient's connections (<see cref="UserAddressing"/>); the backplane carries them to other nodes.
/// Workers only enqueue: a slow or unreachable backplane must never hold a mailbox worker (and so every
/// sender on it) hostage. The queue is bounded; when it is full the push is dropped and counted, which loses
/// nothing because the envelope is stored and the client syncs.
/// </summary>
public sealed partial class SignalREnvelopeNotifier(IHubContext<ChatHub, IChatClient> hub, UserAddressing addressing, ChatMetrics metrics, ILogger<SignalREnvelopeNotifier> logger)
    : BackgroundService, IEnvelopeNotifier
{
    private const int Capacity = 65_536;
    private const int BatchSize = 256;
    private static readonly TimeSpan SlowBatch = TimeSpan.FromSeconds(1);

    // One reader keeps pushes to a recipient in commit order.
    private readonly Channel<AddressedEnvelope> _queue = Channel.CreateBounded<AddressedEnvelope>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        SingleWriter = false,
        FullMode = BoundedChannelFullMode.Wait, // never waited on: TryWrite fails when full and the push is dropped
    });

    public Task NotifyAsync(IReadOnlyList<AddressedEnvelope> envelopes, CancellationToken cancellationToken)
    {
        foreach (var envelope in envelopes)
        {
            if (!_queue.Writer.TryWrite(envelope))
            {
                metrics.PushDropped();
            }
        }

        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sends = new List<Task>(BatchSize);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(stoppingToken))
        {
            // Start a batch of sends in order (each is a publish or a local write) and wait for them together.
            while (sends.Count < BatchSize && reader.TryRead(out var item))
            {
                sends.Add(PushAsync(item));
            }

            try
            {
                // A slow client's write must not hold up everyone else's pushes: stop waiting after a while and
                // go on; its write finishes (or its connection closes) on its own.
                await Task.WhenAll(sends).WaitAsync(SlowBatch, stoppingToken);
            }
            catch (TimeoutException)
            {
                LogSlowPushes(logger, sends.Count(t => !t.IsCompleted));
            }

            sends.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task PushAsync(AddressedEnvelope item)
    {
        try
        {
            await addressing.User(hub.Clients, DeviceIds.AddressOf(item.UserId, item.DeviceId)).ReceiveMessage(EnvelopeDto.Of(item.Envelope));
            metrics.EnvelopePushed();
        }
        catch (Exception e)
        {
            // Best effort by design: the envelope is stored and the client will fetch it.
            metrics.PushDropped();
            LogPushFailed(logger, e);
        }
    }

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "{Count} pushes still pending after a second (slow clients or backplane); moving on")]
    private static partial void LogSlowPushes(ILogger logger, int count);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Push failed; the recipient will sync from the store")]
    private static partial void LogPushFailed(ILogger logger, Exception exception);
}
