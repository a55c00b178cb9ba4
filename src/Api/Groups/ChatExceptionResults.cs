using Chat.Api.Accounts;
using Chat.Domain.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Api.Groups;

/// <summary>Maps an expected failure to its HTTP status, keeping the stable code in the problem body.</summary>
public static class ChatExceptionResults
{
    public static ProblemHttpResult ToProblem(this ChatException e) => ApiProblems.Of(e.Code, e.Code switch
    {
        ChatErrorCode.InvalidRequest or ChatErrorCode.PayloadTooLarge => StatusCodes.Status400BadRequest,
        ChatErrorCode.NotFound => StatusCodes.Status404NotFound,
        ChatErrorCode.Forbidden => StatusCodes.Status403Forbidden,
        ChatErrorCode.Conflict => StatusCodes.Status409Conflict,
        ChatErrorCode.RateLimited => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status503ServiceUnavailable,
    }, e.Detail);
}
