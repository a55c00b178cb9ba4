using Chat.Api.Auth;
using Chat.Api.Throttling;
using Chat.Api.Hosting;
using Chat.Domain.Accounts;
using Chat.Domain.Devices;
using Chat.Domain.Errors;
using Chat.Domain.Identity;
using Chat.Domain.RateLimits;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace Chat.Api.Accounts;

/// <summary>Registration and sign-in: POST /api/accounts and POST /api/tokens.</summary>
public static class AccountsApi
{
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;

    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Accounts").AllowAnonymous().RequireRateLimiting(ThrottlingExtensions.SignInPolicy);
        api.MapPost("/accounts", CreateAccountAsync).WithName("CreateAccount");
        api.MapPost("/tokens", CreateTokenAsync).WithName("CreateToken");
        return app;
    }

    public static async Task<Results<Created<AccountCreatedResponse>, ProblemHttpResult>> CreateAccountAsync(
        CredentialsRequest? request, IAccountStore accounts, IPasswordHasher<string> hasher, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } problem)
        {
            return problem;
        }

        var hash = hasher.HashPassword(request!.UserId!, request.Password!);
        return await accounts.CreateAsync(request.UserId!, hash, time.GetUtcNow(), cancellationToken)
            ? TypedResults.Created($"/api/accounts/{request.UserId}", new AccountCreatedResponse(request.UserId!))
            : ApiProblems.Of(ChatErrorCode.Conflict, StatusCodes.Status409Conflict, $"user id '{request.UserId}' is taken.");
    }

    public static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> CreateTokenAsync(
        CredentialsRequest? request,
        IAccountStore accounts,
        IPasswordHasher<string> hasher,
        UnknownUserPasswordHash unknownUser,
        TokenIssuer tokens,
        ISignInFailures failures,
        RateLimitMetrics metrics,
        HttpContext httpContext,
        DeviceService devices,
        CancellationToken cancellationToken)
    {
        if (request is null || string.IsNullOrEmpty(request.UserId) || string.IsNullOrEmpty(request.Password))
        {
            return ApiProblems.Invalid("'userId' and 'password' are required.");
        }

        // Failures are counted per well-formed id, registered or not, so a lockout does not tell which ids exist.
        var wellFormed = UserId.IsValid(request.UserId);
        var record = wellFormed ? await failures.GetAsync(request.UserId, cancellationToken) : default;
        if (record.LockedFor > TimeSpan.Zero)
        {
            metrics.Refused(RateLimitMetrics.SignInAccount);
            return Throttling.RateLimitedProblem.For(httpContext, record.LockedFor, "too many failed sign-ins for this account");
        }

        var hash = wellFormed ? await accounts.GetPasswordHashAsync(request.UserId, cancellationToken) : null;
        // An unknown id is verified against a hash too, so the answer takes as long as for a wrong password.
        var matched = hasher.VerifyHashedPassword(request.UserId, hash ?? unknownUser.Value, request.Password) != PasswordVerificationResult.Failed;
        var verified = hash is not null && matched;
        if (!verified)
        {
            if (wellFormed)
            {
                await failures.RecordFailureAsync(request.UserId, cancellationToken);
            }

            return ApiProblems.Of(ChatErrorCode.Forbidden, StatusCodes.Status401Unauthorized, "wrong user id or password.");
        }

        if (record.Failures > 0)
        {
            await failures.ResetAsync(request.UserId, cancellationToken);
        }

        int deviceId;
        try
        {
            deviceId = await devices.ResolveSignInAsync(request.UserId, request.DeviceId, request.DeviceName, cancellationToken);
        }
        catch (ChatException e) when (e.IsClientError())
        {
            return e.ToProblem();
        }

        var (token, expiresAt) = tokens.Issue(request.UserId, deviceId);
        return TypedResults.Ok(new TokenResponse(token, expiresAt, deviceId));
    }

    private static ProblemHttpResult? Validate(CredentialsRequest? request)
    {
        if (request is null)
        {
            return ApiProblems.Invalid("a JSON body with 'userId' and 'password' is required.");
        }

        if (!UserId.IsValid(request.UserId))
        {
            return ApiProblems.Invalid($"'userId' must match {UserId.Pattern}.");
        }

        return request.Password is null || request.Password.Length < MinPasswordLength || request.Password.Length > MaxPasswordLength
            ? ApiProblems.Invalid($"'password' must be {MinPasswordLength} to {MaxPasswordLength} characters.")
            : null;
    }
}
