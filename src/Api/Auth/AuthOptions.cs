using System.ComponentModel.DataAnnotations;

namespace Chat.Api.Auth;

/// <summary>The "Auth" section: token signing and who the operators are.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    public string Issuer { get; set; } = "chat";

    public string Audience { get; set; } = "chat";

    /// <summary>
    /// Base64 HMAC-SHA256 key of at least 32 bytes, shared by every node. When empty, a random key is created
    /// on first start and kept in the data folder (fine for one node; set it for a cluster).
    /// </summary>
    public string? SigningKey { get; set; }

    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>User ids whose tokens carry the admin role.</summary>
    public IList<string> Admins { get; } = [];

    /// <summary>When set, the X-Admin-Key header with this value grants the admin role (for scripts and dashboards).</summary>
    public string? AdminApiKey { get; set; }
}
