using Chat.Domain.Devices;
using Chat.Hubs.Chat;
using Chat.Infrastructure.Redis;
using Microsoft.Extensions.Options;

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
        services.AddSingleton<IDeviceChangeHandler, DeviceChangeHandler>();
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Redis")))
        {
            services.AddSingleton<IDeviceEvents, LocalDeviceEvents>();
        }
        else
        {
            services.AddSingleton<RedisDeviceEvents>();
            services.AddSingleton<IDeviceEvents>(sp => sp.GetRequiredService<RedisDeviceEvents>());
            services.AddHostedService(sp => sp.GetRequiredService<RedisDeviceEvents>());
        }

        services.AddSingleton<DeviceService>();
        services.AddSingleton<InactiveDeviceSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<InactiveDeviceSweeper>());
        return builder;
    }
}
