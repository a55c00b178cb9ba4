using Chat.Infrastructure.Migrations;
using Chat.IntegrationTests.Infrastructure;
using Dapper;
using Npgsql;

namespace Chat.IntegrationTests.Stores;

/// <summary>
/// Citus is not installed here, so the distribution scripts run against a stand-in create_distributed_table
/// that records each call. The schema is then checked against Citus's rules: every table is distributed,
/// every primary key and unique constraint includes the distribution column, colocated tables share the
/// column type, and foreign keys stay inside one colocation group on the distribution column.
/// </summary>
public sealed class CitusScriptTests
{
    [Fact]
    public async Task Distribution_scripts_follow_the_citus_rules_for_every_table()
    {
        await using var dataSource = await MigratedStores.PostgresAsync("citus");
        await using var connection = await dataSource.OpenConnectionAsync();
        await StandInForCitusAsync(connection);
        foreach (var (_, sql) in MigrationScripts.Load("citus"))
        {
            await connection.ExecuteAsync(sql);
        }

        var calls = (await connection.QueryAsync<(string Table, string Column, string ColocateWith)>(
            "SELECT table_name, distribution_column, colocate_with FROM citus_calls")).ToDictionary(c => c.Table);
        var tables = (await connection.QueryAsync<string>(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('schema_migrations', 'citus_calls', 'pg_dist_partition')")).ToList();

        Assert.Equal(tables.Order(), calls.Keys.Order());
        foreach (var (table, call) in calls)
        {
            Assert.True(await HasColumnAsync(connection, table, call.Column), $"{table} has no column {call.Column}");
            var keys = await connection.QueryAsync<(string Name, string[] Columns)>(
                """
                SELECT c.conname, array_agg(a.attname::text)
                FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
                WHERE c.conrelid = @table::regclass AND c.contype IN ('p', 'u')
                GROUP BY c.conname
                """,
                new { table });
            Assert.All(keys, key => Assert.True(key.Columns.Contains(call.Column), $"{table}.{key.Name} lacks the distribution column {call.Column}"));
            if (call.ColocateWith != "default")
            {
                Assert.True(calls.ContainsKey(call.ColocateWith), $"{table} colocates with undistributed {call.ColocateWith}");
                Assert.Equal(await TypeOfAsync(connection, call.ColocateWith, calls[call.ColocateWith].Column), await TypeOfAsync(connection, table, call.Column));
            }
        }

        var foreignKeys = await connection.QueryAsync<(string Table, string Referenced, string[] Columns, string[] ReferencedColumns)>(
            """
            SELECT c.conrelid::regclass::text, c.confrelid::regclass::text,
                   (SELECT array_agg(attname::text) FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = ANY(c.conkey)),
                   (SELECT array_agg(attname::text) FROM pg_attribute WHERE attrelid = c.confrelid AND attnum = ANY(c.confkey))
            FROM pg_constraint c WHERE c.contype = 'f'
            """);
        foreach (var fk in foreignKeys)
        {
            Assert.Equal(GroupOf(calls, fk.Table), GroupOf(calls, fk.Referenced));
            Assert.Contains(calls[fk.Table].Column, fk.Columns);
            Assert.Contains(calls[fk.Referenced].Column, fk.ReferencedColumns);
        }
    }

    [Fact]
    public async Task Distribution_scripts_run_twice_distribute_each_table_once()
    {
        await using var dataSource = await MigratedStores.PostgresAsync("citus_twice");
        await using var connection = await dataSource.OpenConnectionAsync();
        await StandInForCitusAsync(connection);

        for (var run = 0; run < 2; run++)
        {
            foreach (var (_, sql) in MigrationScripts.Load("citus"))
            {
                await connection.ExecuteAsync(sql);
            }
        }

        var calls = (await connection.QueryAsync<string>("SELECT table_name FROM citus_calls")).ToList();
        Assert.NotEmpty(calls);
        Assert.Equal(calls.Distinct().Order(), calls.Order());
    }

    [Fact]
    public async Task Migrating_twice_changes_nothing()
    {
        await using var dataSource = await MigratedStores.PostgresAsync("migrate_twice");
        await using var connection = await dataSource.OpenConnectionAsync();
        var before = await SchemaAsync(connection);

        await new PostgresMigrationRunner(dataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresMigrationRunner>.Instance).MigrateAsync(default);
        var after = await SchemaAsync(connection);

        Assert.Equal(before, after);
    }

    /// <summary>
    /// A stand-in for the two things of Citus that the scripts touch: create_distributed_table records each call
    /// and marks the table distributed in pg_dist_partition, where the scripts look before distributing.
    /// </summary>
    private static async Task StandInForCitusAsync(NpgsqlConnection connection) =>
        await connection.ExecuteAsync(
            """
            CREATE TABLE citus_calls (table_name text, distribution_column text, colocate_with text);
            CREATE TABLE pg_dist_partition (logicalrelid regclass PRIMARY KEY);
            CREATE FUNCTION create_distributed_table(table_name regclass, distribution_column text, colocate_with text DEFAULT 'default')
            RETURNS void LANGUAGE sql AS $$
                INSERT INTO citus_calls VALUES (table_name::text, distribution_column, colocate_with);
                INSERT INTO pg_dist_partition VALUES (table_name);
            $$;
            """);

    /// <summary>Tables, columns, constraints, indexes and applied versions, as one comparable text.</summary>
    private static async Task<string> SchemaAsync(NpgsqlConnection connection)
    {
        var rows = await connection.QueryAsync<string>(
            """
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
            FROM information_schema.columns WHERE table_schema = 'public'
            UNION ALL SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
            UNION ALL SELECT 'applied ' || version || ' ' || applied_at::text FROM schema_migrations
            ORDER BY 1
            """);
        return string.Join('\n', rows);
    }

    /// <summary>The table a colocation chain starts from.</summary>
    private static string GroupOf(Dictionary<string, (string Table, string Column, string ColocateWith)> calls, string table) =>
        calls[table].ColocateWith == "default" ? table : GroupOf(calls, calls[table].ColocateWith);

    private static async Task<bool> HasColumnAsync(NpgsqlConnection connection, string table, string column) =>
        await connection.ExecuteScalarAsync<int?>(
            "SELECT 1 FROM information_schema.columns WHERE table_name = @table AND column_name = @column", new { table, column }) is not null;

    private static Task<string> TypeOfAsync(NpgsqlConnection connection, string table, string column) =>
        connection.ExecuteScalarAsync<string>(
            "SELECT data_type FROM information_schema.columns WHERE table_name = @table AND column_name = @column", new { table, column })!;
}
