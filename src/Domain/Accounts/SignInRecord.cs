namespace Chat.Domain.Accounts;

/// <summary>An account's recent failed sign-ins and how long until the next attempt is checked.</summary>
public readonly record struct SignInRecord(long Failures, TimeSpan LockedFor);
