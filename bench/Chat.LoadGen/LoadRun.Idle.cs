using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.LoadGen;

/// <summary>
/// --mode idle: opens --connections authenticated hub connections that do nothing, and reports how much the
/// server's resident memory grew per connection. Connections come from many loopback source addresses
/// (127.0.0.2 to 127.0.0.251), because one source address has only about 28,000 ephemeral ports towards one
/// server port, and they skip negotiation (one request per connection, as a mobile client would).
/// </summary>
public sealed partial class LoadRun
{
    private const int SourceAddresses = 250;

    public async Task<string> RunIdleAsync(CancellationToken cancellationToken)
    {
        if (!options.Watch.TryGetValue("server", out var serverPid))
        {
            throw new LoadGenException("idle mode needs --watch server=PID to read the server's memory.");
        }

        using var http = new HttpClient { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(100) };
        for (var i = 0; i < options.Users; i++)
        {
            _clients.Add(new VirtualClient(i, $"lg-{options.RunId}-{i}", _stats, options));
        }

        await CheckReadyAsync(http, cancellationToken);
        var tokens = await SignUpAllAsync(http, cancellationToken);
        var invokers = Enumerable.Range(0, SourceAddresses).Select(i => BoundInvoker(IPAddress.Parse($"127.0.0.{2 + i}"))).ToArray();
        var connections = new HubConnection?[options.Connections];
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            var before = ResidentKiB(serverPid);
            Log($"opening {options.Connections} idle connections for {options.Users} users; server RSS {before / 1024.0:0.0} MiB");
            var failed = 0;
            await Parallel.ForEachAsync(
                Enumerable.Range(0, options.Connections),
                new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    try
                    {
                        connections[i] = await ConnectIdleAsync(tokens[i % tokens.Length], invokers[i % SourceAddresses], token);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        if (Interlocked.Increment(ref failed) == 1)
                        {
                            Log($"first failed connection: {e.GetType().Name}: {e.Message}");
                        }
                    }
                });

            // Let the server settle (first pings, buffers returned to their pools) before reading its memory.
            Log($"opened {options.Connections - failed} connections; settling for 10 s");
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            var open = connections.Count(c => c?.State == HubConnectionState.Connected);
            var after = ResidentKiB(serverPid);
            var perConnection = open == 0 ? 0 : (after - before) / (double)open;
            return string.Create(
                CultureInfo.InvariantCulture,
                $"""
                == Chat.LoadGen idle summary (run {options.RunId}) ==
                connections {open} open of {options.Connections} ({failed} failed), {options.Users} users, WebSockets, {options.Protocol}, from {SourceAddresses} source addresses
                server RSS  {before / 1024.0:0.0} MiB before, {after / 1024.0:0.0} MiB with every connection open: +{(after - before) / 1024.0:0.0} MiB
                growth      {perConnection:0.0} KiB per connection
                verdict     {(open == options.Connections && perConnection <= 20 ? "PASS" : "FAIL")} (target: all open, <= 20 KiB per connection)
                """);
        }
        finally
        {
            await Parallel.ForEachAsync(connections.Where(c => c is not null), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (c, _) => await c!.DisposeAsync());
            foreach (var invoker in invokers)
            {
                invoker.Dispose();
            }
        }
    }

    private async Task<HubConnection> ConnectIdleAsync(string token, HttpMessageInvoker invoker, CancellationToken cancellationToken)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(options.Url, "hubs/chat"), HttpTransportType.WebSockets, o =>
        {
            o.SkipNegotiation = true;
            o.WebSocketFactory = async (context, ct) =>
            {
                var socket = new ClientWebSocket();
                socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
                await socket.ConnectAsync(context.Uri, invoker, ct);
                return socket;
            };
        });
        if (options.Protocol == WireProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol();
        }

        var connection = builder.Build();
        await connection.StartAsync(cancellationToken);
        return connection;
    }

    private static HttpMessageInvoker BoundInvoker(IPAddress source) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });

    private static long ResidentKiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        throw new LoadGenException($"no VmRSS for process {pid}.");
    }
}
