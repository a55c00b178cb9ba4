namespace Chat.Hubs.Chat;

/// <summary>
/// SignalR group names. Every connection joins its user's group, so a push to a user costs one group
/// lookup (and one backplane channel) instead of a scan of all connections, as Clients.User does.
/// </summary>
public static class UserGroups
{
    public static string For(string userId) => "u:" + userId;
}
