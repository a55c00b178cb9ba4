using System.Diagnostics.CodeAnalysis;

namespace Chat.Domain.Contacts;

/// <summary>The wire names of <see cref="LastSeenPrivacy"/>: "everyone", "contacts", "nobody".</summary>
public static class LastSeenPrivacies
{
    public static string ToWire(this LastSeenPrivacy privacy) => privacy switch
    {
        LastSeenPrivacy.Everyone => "everyone",
        LastSeenPrivacy.Contacts => "contacts",
        LastSeenPrivacy.Nobody => "nobody",
        _ => throw new ArgumentOutOfRangeException(nameof(privacy), privacy, null),
    };

    public static bool TryParse([NotNullWhen(true)] string? value, out LastSeenPrivacy privacy)
    {
        switch (value)
        {
            case "everyone":
                privacy = LastSeenPrivacy.Everyone;
                return true;
            case "contacts":
                privacy = LastSeenPrivacy.Contacts;
                return true;
            case "nobody":
                privacy = LastSeenPrivacy.Nobody;
                return true;
            default:
                privacy = default;
                return false;
        }
    }
}
