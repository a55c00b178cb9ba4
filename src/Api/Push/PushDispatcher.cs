using System.Threading.Channels;
using Chat.Domain.Devices;
using Chat.Domain.Messaging;
using Chat.Domain.Push;

namespace Chat.Api.Push;

/// <summary>
/// The push hook's single reader: coalesces wake-ups per device (<see cref="WakeUpSchedule"/>), and when one is due
/// sends it only if the device has no live session on any node and a push token, with the sender and the count of
/// pending envelopes (never the payload). Failed calls are retried with doubling back-off up to Push:MaxAttempts;
/// tokens the gateway reports dead are removed. Nothing here is on the delivery path.
/// </summary>
public sealed partial class PushDispatcher(
    Channel<WakeUp> queue,
    IPushGateway gateway,
    IDeviceStore devices,
    IMailboxStore mailboxes,
    DevicePresence presence,
    PushOptions options,
    PushMetrics metrics,
    TimeProvider time,
    ILogger<PushDispatcher> logger) : BackgroundService
{
    private readonly WakeUpSchedule _schedule = new(options, options.QueueCapacity);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Task<bool>? arrival = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            arrival ??= queue.Reader.WaitToReadAsync(stoppingToken).AsTask();
            var wait = _schedule.NextDue is { } due ? due - time.GetUtcNow() : Timeout.InfiniteTimeSpan;
            if (wait == Timeout.InfiniteTimeSpan || wait > TimeSpan.Zero)
            {
                await Task.WhenAny(arrival, Task.Delay(wait, time, stoppingToken)).ConfigureAwait(false);
            }

            if (arrival.IsCompleted)
            {
                if (!await arrival)
                {
                    return; // completed: shutting down
                }

                arrival = null;
                Drain();
            }

            List<DueWakeUp> batch;
            while ((batch = _schedule.TakeDue(time.GetUtcNow(), options.MaxBatchSize)).Count > 0)
            {
                await SendAsync(batch, stoppingToken);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private void Drain()
    {
        var now = time.GetUtcNow();
        while (queue.Reader.TryRead(out var wakeUp))
        {
            if (_schedule.Add(wakeUp, now))
            {
                metrics.Shed();
            }
        }
    }

    private async Task SendAsync(List<DueWakeUp> batch, CancellationToken cancellationToken)
    {
        try
        {
            var addresses = batch.Select(b => DeviceIds.AddressOf(b.WakeUp.UserId, b.WakeUp.DeviceId)).ToList();
            var online = await presence.OnlineAsync(addresses, cancellationToken);
            var notifications = new List<(DueWakeUp Item, WakeUpNotification Notification)>(batch.Count);
            var now = time.GetUtcNow();
            for (var i = 0; i < batch.Count; i++)
            {
                var wakeUp = batch[i].WakeUp;
                if (online.Contains(addresses[i])
                    || await devices.GetPushTokenAsync(wakeUp.UserId, wakeUp.DeviceId, cancellationToken) is not { } registration)
                {
                    continue;
                }

                var pending = await mailboxes.CountPendingAsync(wakeUp.UserId, wakeUp.DeviceId, now, cancellationToken);
                if (pending > 0)
                {
                    notifications.Add((batch[i], new WakeUpNotification(registration.Provider, registration.Token, wakeUp.UserId, wakeUp.DeviceId, wakeUp.From, pending)));
                }
            }

            metrics.Skipped(batch.Count - notifications.Count);
            if (notifications.Count > 0)
            {
                await CallGatewayAsync(notifications, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The store or Redis failed: treat the whole batch as a failed attempt.
            LogBatchFailed(logger, e);
            RetryOrAbandon(batch);
        }
    }

    private async Task CallGatewayAsync(List<(DueWakeUp Item, WakeUpNotification Notification)> notifications, CancellationToken cancellationToken)
    {
        var result = await gateway.SendAsync(notifications.Select(n => n.Notification).ToList(), cancellationToken);
        if (result.Delivered)
        {
            metrics.Sent(notifications.Count);
            var dead = result.DeadTokens.ToHashSet(StringComparer.Ordinal);
            foreach (var (_, notification) in notifications.Where(n => dead.Contains(n.Notification.Token)))
            {
                await devices.RemovePushTokenAsync(notification.UserId, notification.DeviceId, notification.Token, cancellationToken);
                metrics.TokenRemoved();
            }

            return;
        }

        metrics.Failed(notifications.Count);
        if (result.Retry)
        {
            LogGatewayFailed(logger, notifications.Count);
            RetryOrAbandon(notifications.Select(n => n.Item).ToList());
        }
        else
        {
            LogGatewayRefused(logger, notifications.Count);
            metrics.Abandoned(notifications.Count);
        }
    }

    private void RetryOrAbandon(List<DueWakeUp> items)
    {
        var now = time.GetUtcNow();
        foreach (var item in items)
        {
            if (item.Attempt + 1 >= options.MaxAttempts)
            {
                metrics.Abandoned(1);
                continue;
            }

            _schedule.Retry(item, now, options.RetryDelay * Math.Pow(2, item.Attempt));
        }
    }

    [LoggerMessage(EventId = 130, Level = LogLevel.Warning, Message = "Push gateway call for {Count} wake-ups failed; retrying with back-off")]
    private static partial void LogGatewayFailed(ILogger logger, int count);

    [LoggerMessage(EventId = 131, Level = LogLevel.Warning, Message = "Push gateway refused {Count} wake-ups; not retried")]
    private static partial void LogGatewayRefused(ILogger logger, int count);

    [LoggerMessage(EventId = 132, Level = LogLevel.Warning, Message = "Preparing wake-ups failed; retrying with back-off")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception);
}
