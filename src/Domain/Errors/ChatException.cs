namespace Chat.Domain.Errors;

/// <summary>
/// An expected failure whose message is fit for the client. Its <see cref="Exception.Message"/> always
/// starts with the stable wire code ("not_found: ..."), so hubs and endpoints can pass it on unchanged.
/// </summary>
public sealed class ChatException : Exception
{
    public ChatException(ChatErrorCode code, string detail)
        : base($"{code.ToWire()}: {detail}")
    {
        Code = code;
        Detail = detail;
    }

    public ChatException(ChatErrorCode code, string detail, Exception inner)
        : base($"{code.ToWire()}: {detail}", inner)
    {
        Code = code;
        Detail = detail;
    }

    private ChatException(ChatErrorCode code, string detail, string hint)
        : base($"{code.ToWire()}: {detail}{hint}")
    {
        Code = code;
        Detail = detail;
    }

    public ChatErrorCode Code { get; }

    public string Detail { get; }

    /// <summary>For overloaded and rate_limited: how long the client should wait before retrying.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static ChatException Invalid(string detail) => new(ChatErrorCode.InvalidRequest, detail);

    public static ChatException NotFound(string detail) => new(ChatErrorCode.NotFound, detail);

    public static ChatException Forbidden(string detail) => new(ChatErrorCode.Forbidden, detail);

    public static ChatException Unavailable(string detail, Exception? inner = null) =>
        inner is null ? new(ChatErrorCode.Unavailable, detail) : new(ChatErrorCode.Unavailable, detail, inner);

    /// <summary>A per-user limit was hit; like overloaded, the message ends with how long to wait.</summary>
    public static ChatException RateLimited(string detail, TimeSpan retryAfter) =>
        new(ChatErrorCode.RateLimited, detail, RetryHint(retryAfter)) { RetryAfter = retryAfter };

    /// <summary>The retry hint is part of the message, the only part of a hub error a client sees.</summary>
    public static ChatException Overloaded(string detail, TimeSpan retryAfter) =>
        new(ChatErrorCode.Overloaded, detail, RetryHint(retryAfter)) { RetryAfter = retryAfter };

    private static string RetryHint(TimeSpan retryAfter) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"; retry after {Math.Ceiling(retryAfter.TotalMilliseconds):0} ms");
}
