using System.Globalization;
using System.Threading.RateLimiting;
using Chat.Api.Accounts;
using Chat.Domain.Errors;
using Microsoft.AspNetCore.RateLimiting;

namespace Chat.Api.Throttling;

public static class ThrottlingExtensions
{
    public const string SignInPolicy = "sign-in";

    /// <summary>
    /// Password guessing and account spraying are bounded per client address: registration and sign-in share a
    /// fixed window. Refusals are 429 problems with code rate_limited and a Retry-After header.
    /// </summary>
    public static IHostApplicationBuilder AddChatThrottling(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(SignInThrottlingOptions.SectionName).Get<SignInThrottlingOptions>() ?? new SignInThrottlingOptions();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(SignInPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.PermitLimit, Window = options.Window, QueueLimit = 0 }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : options.Window;
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                await ApiProblems.Of(ChatErrorCode.RateLimited, StatusCodes.Status429TooManyRequests, "too many sign-in attempts from this address; retry later.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
        return builder;
    }
}
