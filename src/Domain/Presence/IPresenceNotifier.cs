namespace Chat.Domain.Presence;

/// <summary>Pushes ephemeral signals to the live connections of users. Nothing is stored: offline users miss them.</summary>
public interface IPresenceNotifier
{
    Task PresenceChangedAsync(IReadOnlyCollection<string> recipients, PresenceView presence, CancellationToken cancellationToken);

    Task TypingAsync(IReadOnlyCollection<string> recipients, string from, string? groupId, CancellationToken cancellationToken);
}
