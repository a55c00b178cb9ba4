using Chat.Hubs.Chat;

namespace Chat.Api.Auth;

public static class ChatClaims
{
    public const string Subject = DeviceClaims.Subject;
    public const string Device = DeviceClaims.Device;
    public const string Role = "role";
    public const string AdminRole = "admin";
    public const string AdminPolicy = "admin";
}
