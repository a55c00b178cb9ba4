namespace Chat.Domain.RateLimits;

/// <summary>Tokens taken from a shared bucket; when none, how long until one is back.</summary>
public readonly record struct TokenGrant(int Granted, TimeSpan RetryAfter);
