namespace Chat.Domain.Accounts;

/// <summary>
/// Failed sign-ins per account, shared by every node (Redis) or held by this process (one node). Counted for any
/// well-formed user id, registered or not, so the answers do not tell which accounts exist.
/// </summary>
public interface ISignInFailures
{
    ValueTask<SignInRecord> GetAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Counts a failure; returns how long the account's next attempt must wait.</summary>
    ValueTask<TimeSpan> RecordFailureAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Forgets the account's failures (after a successful sign-in).</summary>
    ValueTask ResetAsync(string userId, CancellationToken cancellationToken);
}
