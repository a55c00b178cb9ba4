using System.Globalization;
using Chat.Api.Accounts;
using Chat.Domain.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Api.Throttling;

/// <summary>The REST answer to a rate limit: 429, a Retry-After header in whole seconds (at least 1), and a problem with code rate_limited.</summary>
public static class RateLimitedProblem
{
    public static ProblemHttpResult For(HttpContext context, TimeSpan retryAfter, string detail)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return ApiProblems.Of(ChatErrorCode.RateLimited, StatusCodes.Status429TooManyRequests, $"{detail}; retry after {seconds} s.");
    }
}
