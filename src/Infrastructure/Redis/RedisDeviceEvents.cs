using System.Globalization;
using Chat.Domain.Devices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Chat.Infrastructure.Redis;

/// <summary>
/// Device changes published on one Redis channel that every node subscribes to, so an unlinked device's tokens stop
/// working and its sessions close on every node at once. The message is "userId" or "userId deviceId" (an unlink);
/// user ids contain no space. The publishing node also handles the change itself, without waiting for Redis.
/// </summary>
public sealed partial class RedisDeviceEvents(IConnectionMultiplexer redis, IDeviceChangeHandler handler, ILogger<RedisDeviceEvents> logger)
    : IDeviceEvents, IHostedService
{
    // The multiplexer's ChannelPrefix is prepended to this name.
    public static readonly RedisChannel Channel = RedisChannel.Literal("devices");

    public async Task PublishChangedAsync(string userId, int? unlinkedDeviceId, CancellationToken cancellationToken)
    {
        await handler.OnChangedAsync(userId, unlinkedDeviceId);
        var message = unlinkedDeviceId is { } id ? string.Concat(userId, " ", id.ToString(CultureInfo.InvariantCulture)) : userId;
        await redis.GetSubscriber().PublishAsync(Channel, message);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var queue = await redis.GetSubscriber().SubscribeAsync(Channel);
            queue.OnMessage(message => OnMessageAsync(message.Message));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Without Redis this node cannot hear of other nodes' unlinks; its cache expires within a minute.
            LogSubscribeFailed(logger, e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private Task OnMessageAsync(RedisValue message)
    {
        var text = (string?)message;
        if (string.IsNullOrEmpty(text))
        {
            return Task.CompletedTask;
        }

        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0
            ? handler.OnChangedAsync(text, null)
            : int.TryParse(text.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var deviceId)
                ? handler.OnChangedAsync(text[..space], deviceId)
                : Task.CompletedTask;
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Could not subscribe to device changes; other nodes' unlinks reach this node only when its cache expires")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);
}
