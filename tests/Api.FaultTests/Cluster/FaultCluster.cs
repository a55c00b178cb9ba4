using System.Security.Cryptography;

namespace Chat.FaultTests.Cluster;

/// <summary>
/// Two server processes behind nginx, on a PostgreSQL and a Redis of the suite's own (so scenarios may restart
/// them). Node 1 reaches PostgreSQL through a <see cref="LatencyProxy"/>, so a scenario can slow its database alone.
/// Small queues and a quick login gate make overload visible at a few dozen messages a second.
/// </summary>
public sealed class FaultCluster : IAsyncLifetime
{
    private string _root = "";

    public PostgresServer Postgres { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public LatencyProxy SlowLink { get; private set; } = null!;

    public IReadOnlyList<ApiNode> Nodes { get; private set; } = [];

    public NginxBalancer Balancer { get; private set; } = null!;

    public string Url => Balancer.Url;

    public async Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("chat-faults.").FullName;
        // PostgreSQL runs as its own user and nginx workers as an unprivileged one: both must reach their folders.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_root, (UnixFileMode)0b111_101_101);
        }

        Postgres = await PostgresServer.StartAsync(_root);
        Redis = await RedisServer.StartAsync(_root);
        SlowLink = new LatencyProxy(Postgres.Port);

        var shared = new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = Redis.ConnectionString,
            ["Redis__ChannelPrefix"] = "faults",
            ["Redis__DegradedSessionLifetime"] = "00:00:05",
            ["Auth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Auth__AdminApiKey"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            // Every load client signs in from 127.0.0.1 (through nginx).
            ["SignInThrottling__PermitLimit"] = "100000",
            // The pool is scaled down with the load: small queues and batches, so overload shows at this rate.
            ["WorkerPools__Mailbox__QueueCapacity"] = "64",
            ["WorkerPools__Mailbox__MaxBatchSize"] = "64",
            ["WorkerPools__Mailbox__MaxRequestAge"] = "00:00:02",
            ["WorkerPools__Mailbox__RetryAfterHint"] = "00:00:00.500",
            // The backlog counts the requests inside running batches too: 8 lets a slow database close the gate (its
            // clients back off, so it stays below 16) and keeps a burst of reconnections on the surviving node from it.
            ["LoginGate__CloseAboveBacklog"] = "8",
            ["LoginGate__CloseAfter"] = "00:00:01",
            ["LoginGate__ReopenBelowBacklog"] = "3",
            ["LoginGate__RetryAfter"] = "00:00:01",
            ["Shutdown__DrainTimeout"] = "00:00:10",
            ["Serilog__MinimumLevel__Override__Serilog.AspNetCore.RequestLoggingMiddleware"] = "Warning",
        };
        var direct = Postgres.ConnectionString;
        var slow = direct.Replace($"Port={Postgres.Port}", $"Port={SlowLink.Port}", StringComparison.Ordinal);
        Nodes =
        [
            new ApiNode("node-1", Path.Combine(_root, "nodes"), new Dictionary<string, string>(shared) { ["ConnectionStrings__Postgres"] = slow }),
            new ApiNode("node-2", Path.Combine(_root, "nodes"), new Dictionary<string, string>(shared) { ["ConnectionStrings__Postgres"] = direct }),
        ];
        // One at a time: both would migrate at once (safely, under an advisory lock), but two cold starts share 2 cores.
        foreach (var node in Nodes)
        {
            await node.StartAsync();
        }

        Balancer = await NginxBalancer.StartAsync(_root, Nodes);
    }

    /// <summary>Brings every node back up (after a scenario killed or stopped one) and waits until all are ready.</summary>
    public async Task EnsureAllRunningAsync()
    {
        foreach (var node in Nodes.Where(n => n.Pid is null))
        {
            await node.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (Balancer is not null)
        {
            await Balancer.DisposeAsync();
        }

        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        if (SlowLink is not null)
        {
            await SlowLink.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }

        if (Environment.GetEnvironmentVariable("CHAT_FAULTS_KEEP") is null)
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
