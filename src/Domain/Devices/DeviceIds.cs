namespace Chat.Domain.Devices;

/// <summary>
/// Device ids are small integers per account: the primary device is 1, linked devices get the next unused number
/// (ids are never reused). A device's address is how pushes find its connections: the bare user id for the primary
/// device, so an account with one device is addressed exactly as before devices existed.
/// </summary>
public static class DeviceIds
{
    public const int Primary = 1;

    public static string AddressOf(string userId, int deviceId) =>
        deviceId == Primary ? userId : string.Concat(userId, "/", deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
