using System.Security.Claims;
using Chat.Api.Auth;
using Chat.Api.Hosting;
using Chat.Domain.Devices;
using Chat.Hubs.Chat;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Api.Devices;

/// <summary>The caller's devices: /api/me/devices (list, rename, unlink) and their push registrations.</summary>
public static class DevicesApi
{
    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/me/devices").WithTags("Devices").RequireAuthorization();
        api.MapGet("/", ListDevicesAsync).WithName("ListDevices");
        api.MapPatch("/{deviceId:int}", RenameDeviceAsync).WithName("RenameDevice");
        api.MapDelete("/{deviceId:int}", UnlinkDeviceAsync).WithName("UnlinkDevice");
        api.MapPut("/{deviceId:int}/push", SetPushTokenAsync).WithName("SetPushToken");
        api.MapDelete("/{deviceId:int}/push", ClearPushTokenAsync).WithName("ClearPushToken");
        return app;
    }

    public static async Task<Ok<DevicesResponse>> ListDevicesAsync(ClaimsPrincipal user, DeviceService devices, CancellationToken cancellationToken)
    {
        var current = DeviceClaims.DeviceOf(user) ?? DeviceIds.Primary;
        var list = await devices.ListAsync(user.UserId(), cancellationToken);
        return TypedResults.Ok(new DevicesResponse(list.Select(d => DeviceResponse.Of(d, current)).ToList()));
    }

    public static Task<Results<NoContent, ProblemHttpResult>> RenameDeviceAsync(
        int deviceId, RenameDeviceRequest? request, ClaimsPrincipal user, DeviceService devices, CancellationToken cancellationToken) =>
        ChatExceptionResults.RunAsync(async () =>
        {
            await devices.RenameAsync(user.UserId(), deviceId, request?.Name, cancellationToken);
            return TypedResults.NoContent();
        });

    /// <summary>Unlinks a device: its pending envelopes are dropped, its tokens refused and its sessions closed on every node.</summary>
    public static Task<Results<NoContent, ProblemHttpResult>> UnlinkDeviceAsync(
        int deviceId, ClaimsPrincipal user, DeviceService devices, CancellationToken cancellationToken) =>
        ChatExceptionResults.RunAsync(async () =>
        {
            await devices.UnlinkAsync(user.UserId(), deviceId, cancellationToken);
            return TypedResults.NoContent();
        });

    public static Task<Results<NoContent, ProblemHttpResult>> SetPushTokenAsync(
        int deviceId, PushTokenRequest? request, ClaimsPrincipal user, DeviceService devices, CancellationToken cancellationToken) =>
        ChatExceptionResults.RunAsync(async () =>
        {
            await devices.SetPushTokenAsync(user.UserId(), deviceId, request?.Provider, request?.Token, cancellationToken);
            return TypedResults.NoContent();
        });

    public static Task<Results<NoContent, ProblemHttpResult>> ClearPushTokenAsync(
        int deviceId, ClaimsPrincipal user, DeviceService devices, CancellationToken cancellationToken) =>
        ChatExceptionResults.RunAsync(async () =>
        {
            await devices.ClearPushTokenAsync(user.UserId(), deviceId, cancellationToken);
            return TypedResults.NoContent();
        });
}
