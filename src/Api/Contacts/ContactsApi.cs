using System.Security.Claims;
using Chat.Api.Accounts;
using Chat.Api.Auth;
using Chat.Api.Hosting;
using Chat.Domain.Contacts;
using Chat.Domain.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Api.Contacts;

/// <summary>The caller's address book (/api/contacts) and presence privacy (/api/me/privacy).</summary>
public static class ContactsApi
{
    public static IEndpointRouteBuilder MapContactsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Contacts").RequireAuthorization();
        api.MapPut("/contacts", UploadContactsAsync).WithName("UploadContacts");
        api.MapGet("/contacts", GetContactsAsync).WithName("GetContacts");
        api.MapDelete("/contacts/{contactId}", DeleteContactAsync).WithName("DeleteContact");
        api.MapGet("/me/privacy", GetPrivacyAsync).WithName("GetPrivacy");
        api.MapPut("/me/privacy", SetPrivacyAsync).WithName("SetPrivacy");
        return app;
    }

    /// <summary>Replaces the caller's address book; answers which of the uploaded ids are registered users.</summary>
    public static async Task<Results<Ok<UploadContactsResponse>, ProblemHttpResult>> UploadContactsAsync(
        UploadContactsRequest? request, ClaimsPrincipal user, ContactService contacts, CancellationToken cancellationToken)
    {
        try
        {
            var registered = await contacts.UploadAsync(UserOf(user), request?.UserIds, cancellationToken);
            return TypedResults.Ok(new UploadContactsResponse(registered));
        }
        catch (ChatException e) when (e.IsClientError())
        {
            return e.ToProblem();
        }
    }

    public static async Task<Ok<ContactsResponse>> GetContactsAsync(ClaimsPrincipal user, ContactService contacts, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ContactsResponse(await contacts.ListAsync(UserOf(user), cancellationToken)));

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteContactAsync(
        string contactId, ClaimsPrincipal user, ContactService contacts, CancellationToken cancellationToken)
    {
        try
        {
            await contacts.RemoveAsync(UserOf(user), contactId, cancellationToken);
            return TypedResults.NoContent();
        }
        catch (ChatException e) when (e.IsClientError())
        {
            return e.ToProblem();
        }
    }

    public static async Task<Ok<PrivacyResponse>> GetPrivacyAsync(ClaimsPrincipal user, ContactService contacts, CancellationToken cancellationToken) =>
        TypedResults.Ok(new PrivacyResponse((await contacts.GetPrivacyAsync(UserOf(user), cancellationToken)).ToWire()));

    public static async Task<Results<Ok<PrivacyResponse>, ProblemHttpResult>> SetPrivacyAsync(
        PrivacyRequest? request, ClaimsPrincipal user, ContactService contacts, CancellationToken cancellationToken)
    {
        try
        {
            var privacy = await contacts.SetPrivacyAsync(UserOf(user), request?.LastSeen, cancellationToken);
            return TypedResults.Ok(new PrivacyResponse(privacy.ToWire()));
        }
        catch (ChatException e) when (e.IsClientError())
        {
            return e.ToProblem();
        }
    }

    // The group requires an authenticated user, and tokens always carry "sub".
    private static string UserOf(ClaimsPrincipal user) =>
        user.FindFirstValue(ChatClaims.Subject) ?? throw new InvalidOperationException("authenticated user without a 'sub' claim.");
}
