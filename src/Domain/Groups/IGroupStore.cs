namespace Chat.Domain.Groups;

/// <summary>Reads of groups outside a write transaction.</summary>
public interface IGroupStore : IGroupDirectory
{
    Task<Group?> GetAsync(string groupId, CancellationToken cancellationToken);

    Task<IReadOnlyList<GroupSummary>> GetGroupsOfAsync(string userId, CancellationToken cancellationToken);
}
