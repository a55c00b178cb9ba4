using Npgsql;

namespace Chat.IntegrationTests.Hostile;

/// <summary>
/// Row counts of every table, the sum of the mailboxes' last seqs and the privacy settings that differ from the
/// default: two equal snapshots mean nothing stored changed in between (nothing added, deleted, or numbered).
/// A user's last-seen time is left out: closing a connection, even a refused one, records it by design.
/// </summary>
public static class StoredState
{
    private static readonly string[] Tables =
        ["accounts", "mailboxes", "envelopes", "message_dedup", "receipt_outbox", "groups", "group_members", "user_groups", "contacts", "contact_of"];

    public static async Task<string> SnapshotAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var parts = new List<string>();
        foreach (var table in Tables)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
            parts.Add($"{table}={await count.ExecuteScalarAsync()}");
        }

        await using var seqs = new NpgsqlCommand("SELECT coalesce(sum(last_seq), 0) FROM mailboxes", connection);
        parts.Add($"seqs={await seqs.ExecuteScalarAsync()}");
        await using var privacy = new NpgsqlCommand("SELECT count(*) FROM user_settings WHERE last_seen_privacy <> 0", connection);
        parts.Add($"privacy={await privacy.ExecuteScalarAsync()}");
        return string.Join(", ", parts);
    }
}
