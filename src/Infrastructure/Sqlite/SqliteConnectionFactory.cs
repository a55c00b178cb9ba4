using Microsoft.Data.Sqlite;

namespace Chat.Infrastructure.Sqlite;

/// <summary>Opens connections to the embedded database file with the settings every connection needs.</summary>
public sealed class SqliteConnectionFactory(string connectionString)
{
    public string ConnectionString { get; } = connectionString;

    /// <summary>
    /// Admits one mailbox write transaction at a time. SQLite has one writer per file; without this gate the
    /// workers' transactions would wait in SQLite's busy handler, which sleeps and polls, so the file would sit
    /// idle between writers. Queued here, the next writer starts the moment the last one commits, and the workers'
    /// queues grow into larger batches (one fsync each).
    /// </summary>
    public SemaphoreSlim WriteGate { get; } = new(1, 1);

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        // WAL lets readers run beside the single writer; busy_timeout makes writers queue instead of failing.
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public static SqliteConnectionFactory ForDirectory(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "chat.db"),
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new SqliteConnectionFactory(builder.ToString());
    }
}
