using Npgsql;

namespace Chat.Infrastructure.Postgres;

/// <summary>Builds the data source with the settings the hot path relies on, unless the connection string sets them.</summary>
public static class PostgresDataSource
{
    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            // The mailbox statements are a handful of fixed texts run thousands of times a second: prepared once per
            // physical connection, PostgreSQL skips parsing and planning them (the CTE of a send is costly to plan).
            settings.MaxAutoPrepare = 64;
            settings.AutoPrepareMinUsages = 2;
        }

        if (!connectionString.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            // Every batch borrows a pooled connection. With prepared statements Npgsql would otherwise reset the
            // session on each return with seven statements (RESET ALL, UNLISTEN *, ...) sent ahead of the next
            // use. Nothing here changes session state, so there is nothing to reset.
            settings.NoResetOnClose = true;
        }

        return builder.Build();
    }
}
