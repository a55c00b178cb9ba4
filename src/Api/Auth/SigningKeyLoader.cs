using System.Security.Cryptography;
using Chat.Infrastructure.Storage;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Api.Auth;

/// <summary>Finds the token signing key: configuration first, else a random key generated once and kept beside the database.</summary>
public static class SigningKeyLoader
{
    public const string FileName = "jwt-signing.key";

    public static SymmetricSecurityKey Load(AuthOptions auth, StorageOptions storage, ILogger logger)
    {
        if (!string.IsNullOrWhiteSpace(auth.SigningKey))
        {
            var configured = Convert.FromBase64String(auth.SigningKey);
            return configured.Length >= 32
                ? new SymmetricSecurityKey(configured)
                : throw new InvalidOperationException("Auth:SigningKey must be base64 of at least 32 bytes.");
        }

        Directory.CreateDirectory(storage.DataDirectory);
        var path = Path.Combine(storage.DataDirectory, FileName);
        if (!File.Exists(path))
        {
            var fresh = RandomNumberGenerator.GetBytes(32);
            File.WriteAllText(path, Convert.ToBase64String(fresh));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            logger.LogWarning("No Auth:SigningKey configured; generated one at {Path}. Configure a shared key when running more than one node", path);
        }

        return new SymmetricSecurityKey(Convert.FromBase64String(File.ReadAllText(path).Trim()));
    }
}
