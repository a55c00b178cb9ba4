using Chat.Api.Accounts;
using Chat.Domain.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Api.Hosting;

/// <summary>The one mapping from stable error codes to HTTP statuses, used by every REST endpoint.</summary>
public static class ChatExceptionResults
{
    public static int StatusOf(ChatErrorCode code) => code switch
    {
        ChatErrorCode.InvalidRequest or ChatErrorCode.PayloadTooLarge => StatusCodes.Status400BadRequest,
        ChatErrorCode.NotFound => StatusCodes.Status404NotFound,
        ChatErrorCode.Forbidden => StatusCodes.Status403Forbidden,
        ChatErrorCode.Conflict => StatusCodes.Status409Conflict,
        ChatErrorCode.RateLimited => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    /// <summary>A problem body for a client error; overloaded and unavailable go to ChatExceptionHandler, which adds Retry-After.</summary>
    public static ProblemHttpResult ToProblem(this ChatException e) => ApiProblems.Of(e.Code, StatusOf(e.Code), e.Detail);

    /// <summary>True for failures the caller caused (4xx), which endpoints answer themselves.</summary>
    public static bool IsClientError(this ChatException e) => StatusOf(e.Code) < 500;

    /// <summary>
    /// Runs an endpoint body, answering the caller's own mistakes as typed problem results (so OpenAPI lists them);
    /// server-side conditions propagate to ChatExceptionHandler, which adds Retry-After.
    /// </summary>
    public static async Task<Results<T, ProblemHttpResult>> RunAsync<T>(Func<Task<T>> action)
        where T : IResult
    {
        try
        {
            return await action();
        }
        catch (ChatException e) when (e.IsClientError())
        {
            return e.ToProblem();
        }
    }
}
