namespace Chat.Domain.Groups;

/// <summary>Read access to group membership, for features outside groups (typing, presence).</summary>
public interface IGroupDirectory
{
    /// <summary>The members of <paramref name="groupId"/>, or null when there is no such group.</summary>
    Task<IReadOnlyList<string>?> GetMemberIdsAsync(string groupId, CancellationToken cancellationToken);
}
