using System.IO.Hashing;
using System.Text;

namespace Chat.Domain.Partitioning;

/// <summary>
/// A hash that is the same in every process and on every machine (string.GetHashCode is randomised per
/// process), so a key maps to the same worker and partition everywhere, like erlang:phash2.
/// </summary>
public static class StableHash
{
    public static uint Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        if (max <= 256)
        {
            Span<byte> buffer = stackalloc byte[max];
            var written = Encoding.UTF8.GetBytes(key, buffer);
            return XxHash32.HashToUInt32(buffer[..written]);
        }

        return XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(key));
    }

    /// <summary>The partition of <paramref name="key"/> among <paramref name="partitions"/>.</summary>
    public static int Partition(string key, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitions);
        return (int)(Of(key) % (uint)partitions);
    }
}
