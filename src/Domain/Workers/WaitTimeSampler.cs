namespace Chat.Domain.Workers;

/// <summary>
/// The most recent queue waits in a fixed ring, for a cheap percentile without a histogram library. Writers
/// only claim a slot with one interlocked increment; readers copy and sort, which is fine for an admin call.
/// Samples are int microseconds so each write is atomic on every platform.
/// </summary>
internal sealed class WaitTimeSampler
{
    private const int Capacity = 1024;

    private readonly int[] _microseconds = new int[Capacity];
    private long _written;

    public void Add(TimeSpan wait)
    {
        var micros = Math.Clamp(wait.Ticks / TimeSpan.TicksPerMicrosecond, 0, int.MaxValue);
        var index = (Interlocked.Increment(ref _written) - 1) & (Capacity - 1);
        Volatile.Write(ref _microseconds[index], (int)micros);
    }

    public double PercentileMilliseconds(double percentile)
    {
        var count = (int)Math.Min(Volatile.Read(ref _written), Capacity);
        if (count == 0)
        {
            return 0;
        }

        var copy = new int[count];
        Array.Copy(_microseconds, copy, count);
        Array.Sort(copy);
        var rank = Math.Clamp((int)Math.Ceiling(percentile * count) - 1, 0, count - 1);
        return copy[rank] / 1000.0;
    }
}
