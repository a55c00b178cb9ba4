using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Chat.FaultTests.Cluster;

/// <summary>Runs helper programs and hands out free loopback ports.</summary>
public static class Shell
{
    private static readonly HashSet<int> Handed = [];

    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>Runs a program to completion; throws with its output when it fails.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null, bool check = true)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        var output = await stdout + await stderr;
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', info.ArgumentList)} exited {process.ExitCode}: {output}");
        }

        return output;
    }

    /// <summary>Sends a signal by number (15 = SIGTERM) to one process.</summary>
    public static Task SignalAsync(int pid, int signal) => RunAsync("kill", [$"-{signal}", pid.ToString()], check: false);

    /// <summary>A free port below the ephemeral range, so no client socket takes it while a server is down.</summary>
    public static int FreePort()
    {
        lock (Handed)
        {
            while (true)
            {
                var port = Random.Shared.Next(20000, 32000);
                if (Handed.Contains(port))
                {
                    continue;
                }

                try
                {
                    using var probe = new TcpListener(IPAddress.Loopback, port);
                    probe.Start();
                    probe.Stop();
                    Handed.Add(port);
                    return port;
                }
                catch (SocketException)
                {
                    // taken: try another
                }
            }
        }
    }

    /// <summary>Polls until the condition holds; false when it did not within the timeout.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? every = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (Exception) when (Stopwatch.GetTimestamp() < deadline)
            {
                // not yet
            }

            if (Stopwatch.GetTimestamp() >= deadline)
            {
                return false;
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(100));
        }
    }
}
