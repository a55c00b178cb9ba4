using Microsoft.AspNetCore.Identity;

namespace Chat.Api.Auth;

/// <summary>
/// A password hash no password matches, verified in place of a missing account's hash, so that signing in as an
/// unknown user costs the same hashing time as a wrong password and the answer's timing does not tell which ids exist.
/// </summary>
public sealed class UnknownUserPasswordHash(IPasswordHasher<string> hasher)
{
    public string Value { get; } = hasher.HashPassword("", Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
}
