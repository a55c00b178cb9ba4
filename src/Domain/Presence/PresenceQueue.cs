using System.Threading.Channels;
using Chat.Domain.Partitioning;

namespace Chat.Domain.Presence;

/// <summary>
/// Presence changes waiting to be published, so that connecting and disconnecting never wait for the store
/// or the fan-out. A user's changes always go through the same lane (by stable hash) and keep their order;
/// a full lane drops its oldest change, as presence is the first thing to shed under overload.
/// </summary>
public sealed class PresenceQueue
{
    private readonly Channel<PresenceChange>[] _lanes;

    public PresenceQueue(PresenceOptions options, PresenceMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        var laneOptions = new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        };
        _lanes = new Channel<PresenceChange>[options.FanoutLanes];
        for (var i = 0; i < _lanes.Length; i++)
        {
            _lanes[i] = Channel.CreateBounded<PresenceChange>(laneOptions, _ => metrics.ChangeDropped());
        }
    }

    public int Lanes => _lanes.Length;

    /// <summary>Never waits: with DropOldest a write always succeeds until the queue is completed.</summary>
    public void Post(PresenceChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        _lanes[StableHash.Partition(change.UserId, _lanes.Length)].Writer.TryWrite(change);
    }

    public ChannelReader<PresenceChange> Reader(int lane) => _lanes[lane].Reader;

    public void Complete()
    {
        foreach (var lane in _lanes)
        {
            lane.Writer.TryComplete();
        }
    }
}
