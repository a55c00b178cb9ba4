using System.Diagnostics.CodeAnalysis;

namespace Chat.Domain.Identity;

/// <summary>A validated user id: 3 to 64 characters of a-z, 0-9, '.', '_' or '-'.</summary>
public static class UserId
{
    /// <summary>The rule, as written in error messages and docs; <see cref="IsValid"/> checks it without a regex.</summary>
    public const string Pattern = "^[a-z0-9._-]{3,64}$";

    // Checked character by character on purpose: in .NET '$' also matches before a final '\n', so the regex
    // above would accept "alice\n", an impostor of "alice" in most interfaces.
    public static bool IsValid([NotNullWhen(true)] string? value)
    {
        if (value is null || value.Length is < 3 or > 64)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
