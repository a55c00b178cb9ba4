namespace Chat.Api.Accounts;

/// <summary>
/// Registration and sign-in. At sign-in <paramref name="DeviceId"/> names an existing device of the account and
/// <paramref name="DeviceName"/> links a new one; with neither the token is the primary device's.
/// </summary>
public sealed record CredentialsRequest(string? UserId, string? Password, int? DeviceId = null, string? DeviceName = null);

public sealed record AccountCreatedResponse(string UserId);

public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt, int DeviceId);
