using Chat.Domain.Devices;
using Chat.Domain.Presence;
using Chat.Hubs.Chat;
using Chat.Infrastructure.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Devices;

public static class DevicesExtensions
{
    /// <summary>Devices: the per-node directory, the service, change events (through Redis when configured) and the inactivity sweeper.</summary>
    public static IHostApplicationBuilder AddChatDevices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DevicesOptions>().BindConfiguration(DevicesOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<DevicesOptions>>().Value);
        services.AddSingleton<DeviceDirectory>();
        services.AddSingleton<DeviceSessions>();
        var trackPrimary = !string.IsNullOrWhiteSpace(builder.Configuration["Push:WebhookUrl"]);
        services.AddSingleton<IDeviceChangeHandler, DeviceChangeHandler>();
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Redis")))
        {
            services.AddSingleton<IDeviceEvents, LocalDeviceEvents>();
            services.AddSingleton(new DevicePresence(new InMemoryPresenceRegistry(), trackPrimary));
        }
        else
        {
            services.AddSingleton<RedisDeviceEvents>();
            services.AddSingleton<IDeviceEvents>(sp => sp.GetRequiredService<RedisDeviceEvents>());
            services.AddHostedService(sp => sp.GetRequiredService<RedisDeviceEvents>());

            // Sessions per device, apart from user presence: the push hook wakes only devices without one.
            var prefix = (builder.Configuration["Redis:ChannelPrefix"] ?? "chat") + ":devices:";
            services.AddSingleton(sp => new DevicePresence(new RedisPresenceRegistry(
                sp.GetRequiredService<IConnectionMultiplexer>(),
                prefix,
                sp.GetRequiredService<PresenceOptions>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<RedisPresenceRegistry>>()),
                trackPrimary));
            services.AddHostedService<DevicePresenceHeartbeat>();
        }

        services.AddSingleton<DeviceService>();
        services.AddSingleton<InactiveDeviceSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<InactiveDeviceSweeper>());
        return builder;
    }
}
