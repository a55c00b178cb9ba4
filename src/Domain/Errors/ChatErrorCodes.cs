namespace Chat.Domain.Errors;

public static class ChatErrorCodes
{
    public static string ToWire(this ChatErrorCode code) => code switch
    {
        ChatErrorCode.InvalidRequest => "invalid_request",
        ChatErrorCode.NotFound => "not_found",
        ChatErrorCode.PayloadTooLarge => "payload_too_large",
        ChatErrorCode.Forbidden => "forbidden",
        ChatErrorCode.Unavailable => "unavailable",
        ChatErrorCode.Overloaded => "overloaded",
        ChatErrorCode.RateLimited => "rate_limited",
        ChatErrorCode.Conflict => "conflict",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, null),
    };
}
