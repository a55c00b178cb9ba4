namespace Chat.Infrastructure.Postgres;

/// <summary>
/// How a batch of hot-path operations is written. Both shapes cost two pipelined round trips per batch whatever its
/// size; they differ in how many statements the database runs. Measured on one server, the per-row work (index
/// inserts, row updates) dominates and the two are within the noise of each other (docs/BENCHMARKS.md), so the
/// default is the shape that also runs on Citus.
/// </summary>
public enum PostgresBatchShape
{
    /// <summary>
    /// One statement per mailbox, each filtered on the distribution column so Citus routes it to one shard,
    /// pipelined in one round trip (NpgsqlBatch). The default, on a single server and on Citus.
    /// </summary>
    SingleShard,

    /// <summary>
    /// One statement per kind of operation for the whole batch (all sends, all acks, ...), joined to arrays with
    /// <c>unnest</c>: at most six statements a batch. For a single PostgreSQL server only: on Citus such a statement
    /// spans shards.
    /// </summary>
    SetBased,
}
