namespace Chat.Domain.Groups;

/// <summary>Groups: membership rules and fan-out of group messages and events.</summary>
public sealed class GroupService
{
}
