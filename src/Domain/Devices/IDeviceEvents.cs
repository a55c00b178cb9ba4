namespace Chat.Domain.Devices;

/// <summary>
/// Tells every node that a user's devices changed, so each forgets what it remembered about the user and, for an
/// unlinked device, closes the device's live sessions. With Redis this is a publish on the backplane's server;
/// on one node it is a local call.
/// </summary>
public interface IDeviceEvents
{
    Task PublishChangedAsync(string userId, int? unlinkedDeviceId, CancellationToken cancellationToken);
}

/// <summary>What a node does when it hears of a change (forget the user, close the unlinked device's sessions).</summary>
public interface IDeviceChangeHandler
{
    Task OnChangedAsync(string userId, int? unlinkedDeviceId);
}
