using Microsoft.AspNetCore.SignalR;

namespace Chat.Api.Auth;

/// <summary>The user id is the token's "sub" claim (inbound claim mapping is off, so it is not renamed).</summary>
public sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User.FindFirst(ChatClaims.Subject)?.Value;
}
