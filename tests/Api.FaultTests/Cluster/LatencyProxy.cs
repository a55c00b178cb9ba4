using System.Net;
using System.Net.Sockets;

namespace Chat.FaultTests.Cluster;

/// <summary>
/// A TCP proxy in front of PostgreSQL for one node, so that node alone sees a slow database: while
/// <see cref="Delay"/> is set, every chunk in either direction waits that long before it is passed on (in order).
/// </summary>
public sealed class LatencyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public LatencyProxy(int targetPort)
    {
        _target = targetPort;
        Port = Shell.FreePort();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = RelayAsync(inbound);
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        using (inbound)
        using (var outbound = new TcpClient())
        {
            try
            {
                inbound.NoDelay = outbound.NoDelay = true;
                await outbound.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
                using var pair = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = PumpAsync(inbound.GetStream(), outbound.GetStream(), pair.Token);
                var down = PumpAsync(outbound.GetStream(), inbound.GetStream(), pair.Token);
                await Task.WhenAny(up, down);
                await pair.CancelAsync();
            }
            catch (Exception)
            {
                // either side went away (PostgreSQL restarted, the node died): drop this pair
            }
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    return;
                }

                var delay = Delay;
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, cancellationToken);
                }

                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception)
        {
            // closed or cancelled
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
