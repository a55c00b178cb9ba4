using System.ComponentModel.DataAnnotations;

namespace Chat.Domain.Devices;

public sealed class DevicesOptions
{
    public const string SectionName = "Devices";

    /// <summary>Linked devices an account may have besides its primary device.</summary>
    [Range(0, 64)]
    public int MaxLinked { get; set; } = 4;

    /// <summary>A linked device not seen for this long is unlinked by the server.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan InactiveAfter { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the server looks for inactive devices.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    [Range(1, 200)]
    public int MaxNameLength { get; set; } = 64;
}
