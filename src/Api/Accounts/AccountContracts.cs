namespace Chat.Api.Accounts;

public sealed record CredentialsRequest(string? UserId, string? Password);

public sealed record AccountCreatedResponse(string UserId);

public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt);
