using System.Threading.RateLimiting;
using Chat.Domain.RateLimits;
using Chat.Infrastructure.Redis;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Chat.Api.Throttling;

public static class ThrottlingExtensions
{
    public const string SignInPolicy = "sign-in";

    /// <summary>
    /// Abuse limits: per-user send, session and connection limits shared across nodes (Redis when configured),
    /// failed sign-ins per account with back-off, and a per-address ceiling on registration and sign-in.
    /// Refusals are rate_limited (hub) or 429 problems with code rate_limited and Retry-After (REST).
    /// </summary>
    public static IHostApplicationBuilder AddChatThrottling(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SignInThrottlingOptions>().BindConfiguration(SignInThrottlingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SignInThrottlingOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<SignInThrottlingOptions>().Backoff);
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RateLimitOptions>>().Value);
        services.AddChatRateLimitStores(builder.Configuration);
        services.AddSingleton<RateLimitMetrics>();
        services.AddSingleton<UserRateLimits>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(RateLimitMetrics.MeterName));

        // The limiter's policy is built before the container: read the per-address ceiling from configuration here.
        var options = builder.Configuration.GetSection(SignInThrottlingOptions.SectionName).Get<SignInThrottlingOptions>() ?? new SignInThrottlingOptions();
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(SignInPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.PermitLimit, Window = options.Window, QueueLimit = 0 }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.RequestServices.GetRequiredService<RateLimitMetrics>().Refused(RateLimitMetrics.SignInAddress);
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : options.Window;
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                await RateLimitedProblem.For(context.HttpContext, retryAfter, "too many sign-in attempts from this address").ExecuteAsync(context.HttpContext);
            };
        });
        return builder;
    }

    /// <summary>Per-user limit on new hub sessions; after authentication, which names the user.</summary>
    public static IApplicationBuilder UseConnectAttemptLimit(this IApplicationBuilder app) => app.UseMiddleware<ConnectAttemptLimitMiddleware>();
}
