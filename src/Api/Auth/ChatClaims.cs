namespace Chat.Api.Auth;

public static class ChatClaims
{
    public const string Subject = "sub";
    public const string Role = "role";
    public const string AdminRole = "admin";
    public const string AdminPolicy = "admin";
}
