using System.ComponentModel.DataAnnotations;

namespace Chat.Api.Throttling;

/// <summary>The "SignInThrottling" section: how often one client address may register or ask for tokens.</summary>
public sealed class SignInThrottlingOptions
{
    public const string SectionName = "SignInThrottling";

    /// <summary>Requests per window and client address to POST /api/accounts and POST /api/tokens.</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 30;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
