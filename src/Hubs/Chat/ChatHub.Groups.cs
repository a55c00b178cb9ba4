using Chat.Domain.Groups;

namespace Chat.Hubs.Chat;

public sealed partial class ChatHub
{
    private GroupService Groups2 => groups;
}
