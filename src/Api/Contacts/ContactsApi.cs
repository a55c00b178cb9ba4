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
    public static Task<Results<Ok<UploadContactsResponse>, ProblemHttpResult>> UploadContactsAsync(
        UploadContactsRequest? request, ClaimsPrincipal user, ContactService contacts, CancellationToken cancellationToken) =>
        ChatExceptionResults.RunAsync(async () =>
            TypedResults.Ok(new UploadContactsResponse(await contacts.UploadAsync(user.UserId(), request?.UserIds, cancellationToken))));

    public static async Task<Ok<ContactsResponse>> GetContactsAsync(ClaimsPrincipal user, ContactService contacts, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ContactsResponse(await contacts.ListAsync(user.UserId(), cancellationToken)));

    public static Task<Results<NoContent, ProblemHttpResult>> DeleteContactAsync(
        string contactId, ClaimsPrincipal user, ContactService contacts, CancellationToken cancellationToken) =>
        ChatExceptionResults.RunAsync(async () =>
        {
            await contacts.RemoveAsync(user.UserId(), contactId, cancellationToken);
            return TypedResults.NoContent();
        });

    public static async Task<Ok<PrivacyResponse>> GetPrivacyAsync(ClaimsPrincipal user, ContactService contacts, CancellationToken cancellationToken) =>
        TypedResults.Ok(new PrivacyResponse((await contacts.GetPrivacyAsync(user.UserId(), cancellationToken)).ToWire()));

    public static Task<Results<Ok<PrivacyResponse>, ProblemHttpResult>> SetPrivacyAsync(
        PrivacyRequest? request, ClaimsPrincipal user, ContactService contacts, CancellationToken cancellationToken) =>
        ChatExceptionResults.RunAsync(async () =>
            TypedResults.Ok(new PrivacyResponse((await contacts.SetPrivacyAsync(user.UserId(), request?.LastSeen, cancellationToken)).ToWire())));
}
