using Chat.Domain.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Api.Accounts;

/// <summary>RFC 7807 problem bodies that carry the same stable codes as hub errors, in a "code" extension.</summary>
public static class ApiProblems
{
    public static ProblemHttpResult Of(ChatErrorCode code, int status, string detail) =>
        TypedResults.Problem(
            detail: $"{code.ToWire()}: {detail}",
            statusCode: status,
            title: code.ToWire(),
            type: $"https://chat.invalid/errors/{code.ToWire()}",
            extensions: new Dictionary<string, object?> { ["code"] = code.ToWire() });

    public static ProblemHttpResult Invalid(string detail) => Of(ChatErrorCode.InvalidRequest, StatusCodes.Status400BadRequest, detail);
}
