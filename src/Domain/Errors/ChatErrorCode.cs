namespace Chat.Domain.Errors;

/// <summary>Stable error codes; their wire form (see <see cref="ChatErrorCodes.ToWire"/>) is part of the public contract.</summary>
public enum ChatErrorCode
{
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    Forbidden,
    Unavailable,
    Overloaded,
    RateLimited,
    Conflict,
}
