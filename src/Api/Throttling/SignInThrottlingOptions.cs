using System.ComponentModel.DataAnnotations;
using Chat.Domain.Accounts;

namespace Chat.Api.Throttling;

/// <summary>
/// The "SignInThrottling" section: a ceiling per client address on registrations and sign-ins, and a back-off per
/// account after failed sign-ins (shared through Redis when configured, so it holds across nodes).
/// </summary>
public sealed class SignInThrottlingOptions
{
    public const string SectionName = "SignInThrottling";

    /// <summary>Requests per window and client address to POST /api/accounts and POST /api/tokens (per node).</summary>
    [Range(1, 1_000_000_000)]
    public int PermitLimit { get; set; } = 300;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Failed sign-ins to one account before each further failure makes the next attempt wait.</summary>
    [Range(0, 1000)]
    public int AccountFreeFailures { get; set; } = 5;

    /// <summary>The wait after the first failure beyond the free ones; it doubles with each further failure.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan AccountBackoffBase { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two checked attempts on one account.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan AccountBackoffMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>An account's failures are forgotten this long after the last one (and at once on a successful sign-in).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan AccountFailureMemory { get; set; } = TimeSpan.FromHours(1);

    public SignInBackoff Backoff => new(AccountFreeFailures, AccountBackoffBase, AccountBackoffMax, AccountFailureMemory);
}
