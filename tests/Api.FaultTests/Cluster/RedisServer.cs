using System.Diagnostics;
using System.Net.Sockets;

namespace Chat.FaultTests.Cluster;

/// <summary>A Redis server of the suite's own, without persistence: a restart brings it back empty, as after a failover.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _dir;
    private Process? _process;

    private RedisServer(string dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(string root)
    {
        var dir = Path.Combine(root, "redis");
        Directory.CreateDirectory(dir);
        var server = new RedisServer(dir, Shell.FreePort());
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = false };
        foreach (var arg in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _dir, "--logfile", Path.Combine(_dir, "redis.log") })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start redis-server");
        if (!await Shell.EventuallyAsync(IsUpAsync, TimeSpan.FromSeconds(20)))
        {
            throw new InvalidOperationException($"redis-server did not listen on {Port}");
        }
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            await Shell.SignalAsync(process.Id, 15);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }

        _process?.Dispose();
        _process = null;
    }

    private async Task<bool> IsUpAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        var buffer = new byte[16];
        var read = await stream.ReadAsync(buffer);
        return read > 0 && buffer[0] == (byte)'+';
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}
