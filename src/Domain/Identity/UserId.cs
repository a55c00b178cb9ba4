using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Chat.Domain.Identity;

/// <summary>A validated user id: 3 to 64 characters of a-z, 0-9, '.', '_' or '-'.</summary>
public static partial class UserId
{
    public const string Pattern = "^[a-z0-9._-]{3,64}$";

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Regex();

    public static bool IsValid([NotNullWhen(true)] string? value) => value is not null && Regex().IsMatch(value);
}
