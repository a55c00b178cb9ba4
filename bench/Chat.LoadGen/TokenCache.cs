using System.Collections.Concurrent;
using System.Globalization;

namespace Chat.LoadGen;

/// <summary>
/// Access tokens kept between runs against the same server (--token-cache), so a benchmark of several steps signs
/// each user in once: password hashing would otherwise dominate the setup. A token is reused only while it has
/// more than ten minutes to live.
/// </summary>
public sealed class TokenCache
{
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset ExpiresAt)> _tokens = new(StringComparer.Ordinal);

    public static TokenCache Load(string? path)
    {
        var cache = new TokenCache();
        if (path is null || !File.Exists(path))
        {
            return cache;
        }

        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split('\t');
            if (parts.Length == 3 && DateTimeOffset.TryParse(parts[2], CultureInfo.InvariantCulture, DateTimeStyles.None, out var expiresAt))
            {
                cache._tokens[parts[0]] = (parts[1], expiresAt);
            }
        }

        return cache;
    }

    public string? Find(string userId) =>
        _tokens.TryGetValue(userId, out var entry) && entry.ExpiresAt - Margin > DateTimeOffset.UtcNow ? entry.Token : null;

    public void Add(string userId, string token, DateTimeOffset expiresAt) => _tokens[userId] = (token, expiresAt);

    public void Save(string? path)
    {
        if (path is null)
        {
            return;
        }

        File.WriteAllLines(path, _tokens.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}\t{p.Value.Token}\t{p.Value.ExpiresAt:O}")));
    }
}
