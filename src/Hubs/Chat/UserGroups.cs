namespace Chat.Hubs.Chat;

/// <summary>
/// SignalR group names. Without the backplane every connection joins its user's group, so a push to a user costs
/// one group lookup instead of a scan of all connections, as Clients.User does there (see <see cref="UserAddressing"/>).
/// </summary>
public static class UserGroups
{
    /// <summary>The group of one device address (the bare user id for the primary device).</summary>
    public static string For(string address) => "u:" + address;
}
