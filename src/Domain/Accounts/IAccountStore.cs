namespace Chat.Domain.Accounts;

public interface IAccountStore
{
    /// <summary>Creates the account and its mailbox; false when the id is taken.</summary>
    Task<bool> CreateAsync(string userId, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken);

    Task<string?> GetPasswordHashAsync(string userId, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string userId, CancellationToken cancellationToken);
}
