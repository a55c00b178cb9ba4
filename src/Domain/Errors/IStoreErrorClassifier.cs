namespace Chat.Domain.Errors;

/// <summary>
/// Tells a store failure caused by one request's data (the client's mistake, answered with its own code) from
/// one that would hit every request (an outage, answered with unavailable). Each store knows its own errors.
/// </summary>
public interface IStoreErrorClassifier
{
    /// <summary>
    /// The client error behind a store failure: data the store cannot hold (invalid_request), a referenced row
    /// that does not exist (not_found), a duplicate key (conflict); null when the failure is not the request's fault.
    /// </summary>
    ChatException? ClientErrorOf(Exception exception);

    /// <summary>True when the store could not be reached or refused service: the same failure would hit any request.</summary>
    bool IsOutage(Exception exception);
}
