namespace Chat.Infrastructure.Postgres;

/// <summary>
/// How a batch of hot-path operations is written. Both shapes cost a constant number of round trips per batch;
/// they differ in how many statements the database runs.
/// </summary>
public enum PostgresBatchShape
{
    /// <summary>Decided on first use: <see cref="SingleShard"/> when the citus extension is installed, else <see cref="SetBased"/>.</summary>
    Auto,

    /// <summary>
    /// One statement per kind of operation for the whole batch (all sends, all acks, ...), joined to arrays with
    /// <c>unnest</c>. On one PostgreSQL server this is the cheapest: the per-statement cost is paid six times a
    /// batch instead of once or twice per operation. On Citus such a statement spans shards, so it is not used there.
    /// </summary>
    SetBased,

    /// <summary>
    /// One statement per mailbox, each filtered on the distribution column so Citus routes it to one shard,
    /// pipelined in one round trip (NpgsqlBatch).
    /// </summary>
    SingleShard,
}
