using Npgsql;

namespace Chat.FaultTests.Cluster;

/// <summary>
/// A PostgreSQL server of the suite's own (initdb in a temp folder, a free port), so a scenario can stop and
/// restart it without touching the server the other test projects share. Runs as the postgres user when root.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _dir;
    private bool _running;

    private PostgresServer(string bin, string dir, int port)
    {
        _bin = bin;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Maximum Pool Size=60;Timeout=5";

    public static async Task<PostgresServer> StartAsync(string root)
    {
        var bin = FindBinaries();
        var dir = Path.Combine(root, "pg");
        Directory.CreateDirectory(Path.Combine(dir, "socket"));
        if (Shell.IsRoot)
        {
            await Shell.RunAsync("chown", ["-R", "postgres:postgres", dir]);
        }

        var server = new PostgresServer(bin, dir, Shell.FreePort());
        await server.RunAsync("initdb", "-D", server.Data, "-A", "trust", "--username=postgres", "--encoding=UTF8", "--locale=C");
        await File.AppendAllTextAsync(
            Path.Combine(server.Data, "postgresql.conf"),
            $"\nlisten_addresses = '127.0.0.1'\nport = {server.Port}\nunix_socket_directories = '{Path.Combine(dir, "socket")}'\nmax_connections = 300\n");
        await server.StartAsync();
        return server;
    }

    private string Data => Path.Combine(_dir, "data");

    public async Task StartAsync()
    {
        await RunAsync("pg_ctl", "-D", Data, "-l", Path.Combine(_dir, "postgres.log"), "-w", "-t", "60", "start");
        _running = true;
    }

    /// <summary>A fast shutdown: open sessions are cut, as in a restart or a failover.</summary>
    public async Task StopAsync()
    {
        await RunAsync("pg_ctl", "-D", Data, "-m", "fast", "-w", "-t", "60", "stop");
        _running = false;
    }

    public async Task<bool> IsUpAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
            await connection.OpenAsync();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_running)
        {
            await RunAsync("pg_ctl", "-D", Data, "-m", "immediate", "-w", "-t", "30", "stop");
        }
    }

    private Task<string> RunAsync(string program, params string[] args)
    {
        var path = Path.Combine(_bin, program);
        return Shell.IsRoot
            ? Shell.RunAsync("runuser", ["-u", "postgres", "--", path, .. args], TimeSpan.FromSeconds(90))
            : Shell.RunAsync(path, args, TimeSpan.FromSeconds(90));
    }

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Select(d => Path.Combine(d, "bin"))
            : [];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql (scripts/test.sh installs them)");
    }
}
