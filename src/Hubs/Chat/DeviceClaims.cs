using System.Globalization;
using System.Security.Claims;
using Chat.Domain.Devices;

namespace Chat.Hubs.Chat;

/// <summary>
/// Who a token speaks for: the user ("sub") and the device ("did"). A token without "did" (issued before devices
/// existed, or by a client that names no device) is the primary device's.
/// </summary>
public static class DeviceClaims
{
    public const string Subject = "sub";
    public const string Device = "did";

    public static string? UserOf(ClaimsPrincipal? principal) => principal?.FindFirst(Subject)?.Value;

    /// <summary>The token's device id; null when the claim is present but not a device id.</summary>
    public static int? DeviceOf(ClaimsPrincipal? principal) =>
        principal?.FindFirst(Device)?.Value is not { } value
            ? DeviceIds.Primary
            : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id >= DeviceIds.Primary ? id : null;

    /// <summary>The push address of the token's device (see <see cref="DeviceIds.AddressOf"/>).</summary>
    public static string? AddressOf(ClaimsPrincipal? principal) =>
        UserOf(principal) is { } user && DeviceOf(principal) is { } device ? DeviceIds.AddressOf(user, device) : null;
}
