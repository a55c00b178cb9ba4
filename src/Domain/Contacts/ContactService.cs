using Chat.Domain.Errors;
using Chat.Domain.Identity;

namespace Chat.Domain.Contacts;

/// <summary>Address book uploads and the last-seen privacy setting: validation in front of <see cref="IContactStore"/>.</summary>
public sealed class ContactService(IContactStore store, ContactsOptions options)
{
    public async Task<IReadOnlyList<string>> UploadAsync(string ownerId, IReadOnlyList<string?>? userIds, CancellationToken cancellationToken)
    {
        if (userIds is null)
        {
            throw ChatException.Invalid("'userIds' is required.");
        }

        if (userIds.Count > options.MaxUpload)
        {
            throw ChatException.Invalid($"'userIds' may hold at most {options.MaxUpload} ids.");
        }

        var candidates = new List<string>(userIds.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal) { ownerId };
        for (var i = 0; i < userIds.Count; i++)
        {
            var id = userIds[i];
            if (!UserId.IsValid(id))
            {
                throw ChatException.Invalid($"'userIds[{i}]' must match {UserId.Pattern}.");
            }

            // The owner's own id is dropped: a user is never their own contact.
            if (seen.Add(id))
            {
                candidates.Add(id);
            }
        }

        return await store.ReplaceAsync(ownerId, candidates, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListAsync(string ownerId, CancellationToken cancellationToken) =>
        store.ListAsync(ownerId, cancellationToken);

    public async Task RemoveAsync(string ownerId, string? contactId, CancellationToken cancellationToken)
    {
        if (!UserId.IsValid(contactId))
        {
            throw ChatException.Invalid($"the contact id must match {UserId.Pattern}.");
        }

        if (!await store.RemoveAsync(ownerId, contactId, cancellationToken))
        {
            throw ChatException.NotFound($"'{contactId}' is not in your contacts.");
        }
    }

    public async Task<LastSeenPrivacy> GetPrivacyAsync(string userId, CancellationToken cancellationToken)
    {
        var settings = await store.GetSettingsAsync([userId], cancellationToken);
        return settings.TryGetValue(userId, out var found) ? found.Privacy : PresenceSettings.Default.Privacy;
    }

    public async Task<LastSeenPrivacy> SetPrivacyAsync(string userId, string? lastSeen, CancellationToken cancellationToken)
    {
        if (!LastSeenPrivacies.TryParse(lastSeen, out var privacy))
        {
            throw ChatException.Invalid("'lastSeen' must be \"everyone\", \"contacts\" or \"nobody\".");
        }

        await store.SetPrivacyAsync(userId, privacy, cancellationToken);
        return privacy;
    }
}
