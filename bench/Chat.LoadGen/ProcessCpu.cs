using System.Globalization;

namespace Chat.LoadGen;

/// <summary>
/// CPU time of named processes (each with its child processes, so a PostgreSQL postmaster counts its backends)
/// read from /proc, to report cores used over the measured window (--watch name=pid).
/// </summary>
public sealed class ProcessCpu(IReadOnlyDictionary<string, int> watched)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    private Dictionary<string, double>? _start;
    private long _startTimestamp;

    public static ProcessCpu Self() => new(new Dictionary<string, int> { ["loadgen"] = Environment.ProcessId });

    public void Start()
    {
        _start = Read();
        _startTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>Cores used per name since <see cref="Start"/>.</summary>
    public IReadOnlyDictionary<string, double> Stop()
    {
        var end = Read();
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
        return end.ToDictionary(p => p.Key, p => Math.Round((p.Value - (_start?.GetValueOrDefault(p.Key) ?? 0)) / seconds, 2));
    }

    private Dictionary<string, double> Read()
    {
        var parents = new Dictionary<int, (int Parent, double Seconds)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && TryStat(pid, out var parent, out var cpu))
            {
                parents[pid] = (parent, cpu);
            }
        }

        var result = new Dictionary<string, double>();
        foreach (var (name, root) in watched)
        {
            result[name] = parents.Where(p => p.Key == root || IsDescendant(p.Key, root, parents)).Sum(p => p.Value.Seconds);
        }

        return result;
    }

    private static bool IsDescendant(int pid, int root, Dictionary<int, (int Parent, double Seconds)> parents)
    {
        for (var depth = 0; depth < 8 && parents.TryGetValue(pid, out var entry); depth++)
        {
            if (entry.Parent == root)
            {
                return true;
            }

            pid = entry.Parent;
        }

        return false;
    }

    private static bool TryStat(int pid, out int parent, out double cpuSeconds)
    {
        (parent, cpuSeconds) = (0, 0);
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name may hold spaces and parentheses: fields start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            cpuSeconds = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return false;
        }
    }
}
