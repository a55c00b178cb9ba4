using System.Diagnostics;
using System.Net.Sockets;

namespace Chat.FaultTests.Cluster;

/// <summary>nginx from Debian as the load balancer, with the config scripts/cluster.sh uses (scripts/nginx/chat-lb.conf.template).</summary>
public sealed class NginxBalancer : IAsyncDisposable
{
    private readonly Process _process;

    private NginxBalancer(Process process, int port, string folder)
    {
        _process = process;
        Port = port;
        Folder = folder;
    }

    public int Port { get; }

    public string Folder { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public static async Task<NginxBalancer> StartAsync(string root, IEnumerable<ApiNode> nodes)
    {
        var nginx = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nginx not found (scripts/test.sh installs it with apt-get)");
        var folder = Path.Combine(root, "nginx");
        Directory.CreateDirectory(Path.Combine(folder, "tmp"));
        Directory.CreateDirectory(Path.Combine(folder, "logs"));
        var port = Shell.FreePort();
        var servers = string.Concat(nodes.Select(n => $"        server 127.0.0.1:{n.Port} max_fails=2 fail_timeout=3s;\n"));
        var config = (await File.ReadAllTextAsync(Paths.NginxTemplate))
            .Replace("@PREFIX@", folder, StringComparison.Ordinal)
            .Replace("@LISTEN@", $"127.0.0.1:{port}", StringComparison.Ordinal)
            .Replace("@UPSTREAM_SERVERS@\n", servers, StringComparison.Ordinal);
        var path = Path.Combine(folder, "nginx.conf");
        await File.WriteAllTextAsync(path, config);
        await Shell.RunAsync(nginx, ["-t", "-q", "-p", folder, "-c", path]);

        var info = new ProcessStartInfo(nginx) { UseShellExecute = false };
        foreach (var arg in new[] { "-p", folder, "-c", path })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start nginx");
        var balancer = new NginxBalancer(process, port, folder);
        if (!await Shell.EventuallyAsync(balancer.ListensAsync, TimeSpan.FromSeconds(20)))
        {
            throw new InvalidOperationException($"nginx did not listen on {port}");
        }

        return balancer;
    }

    private async Task<bool> ListensAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await Shell.SignalAsync(_process.Id, 15);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }
}
