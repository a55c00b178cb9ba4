namespace Chat.Api.Contacts;

public sealed record UploadContactsRequest(IReadOnlyList<string?>? UserIds);

public sealed record UploadContactsResponse(IReadOnlyList<string> Registered);

public sealed record ContactsResponse(IReadOnlyList<string> Contacts);

public sealed record PrivacyRequest(string? LastSeen);

public sealed record PrivacyResponse(string LastSeen);
