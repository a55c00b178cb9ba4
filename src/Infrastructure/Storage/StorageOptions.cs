namespace Chat.Infrastructure.Storage;

/// <summary>The "Storage" section. PostgreSQL is used when ConnectionStrings:Postgres is set; otherwise SQLite in <see cref="DataDirectory"/>.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Folder of the embedded database and of the generated token signing key.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Apply pending migrations when the server starts (otherwise run the host with the "migrate" argument).</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>
    /// How the PostgreSQL store writes a batch of sends, acks and receipt moves (see <see cref="Postgres.PostgresBatchShape"/>):
    /// SingleShard (the default; required on Citus) or SetBased (a single server only).
    /// </summary>
    public Postgres.PostgresBatchShape PostgresBatchShape { get; set; } = Postgres.PostgresBatchShape.SingleShard;
}
