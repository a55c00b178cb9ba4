namespace Chat.Domain.Push;

/// <summary>
/// Coalesces wake-ups per device: the first envelope for a device is due after Push:CoalesceDelay, later ones join
/// it, and a device woken recently is not due again before Push:MinInterval has passed. Bounded: past
/// <paramref name="capacity"/> devices the one due soonest (the oldest) is shed. Not thread-safe: one reader owns it.
/// </summary>
public sealed class WakeUpSchedule(PushOptions options, int capacity)
{
    private readonly Dictionary<(string UserId, int DeviceId), Entry> _pending = [];
    private readonly Dictionary<(string UserId, int DeviceId), DateTimeOffset> _lastWoken = [];

    public int Count => _pending.Count;

    /// <summary>Adds a wake-up; returns true when a device had to be shed to make room.</summary>
    public bool Add(WakeUp wakeUp, DateTimeOffset now)
    {
        var key = (wakeUp.UserId, wakeUp.DeviceId);
        if (_pending.TryGetValue(key, out var entry))
        {
            entry.From = wakeUp.From;
            return false;
        }

        var shed = false;
        if (_pending.Count >= capacity)
        {
            _pending.Remove(_pending.MinBy(p => p.Value.Due).Key);
            shed = true;
        }

        var due = now + options.CoalesceDelay;
        if (_lastWoken.TryGetValue(key, out var last) && last + options.MinInterval > due)
        {
            due = last + options.MinInterval;
        }

        _pending[key] = new Entry { From = wakeUp.From, Due = due };
        return shed;
    }

    /// <summary>When the next wake-up is due, or null when none is pending.</summary>
    public DateTimeOffset? NextDue => _pending.Count == 0 ? null : _pending.Values.Min(e => e.Due);

    /// <summary>Takes up to <paramref name="max"/> wake-ups due at <paramref name="now"/>, marking their devices woken.</summary>
    public List<DueWakeUp> TakeDue(DateTimeOffset now, int max)
    {
        var due = new List<DueWakeUp>();
        foreach (var (key, entry) in _pending)
        {
            if (entry.Due <= now)
            {
                due.Add(new DueWakeUp(new WakeUp(key.UserId, key.DeviceId, entry.From), entry.Attempt));
                if (due.Count == max)
                {
                    break;
                }
            }
        }

        foreach (var item in due)
        {
            var key = (item.WakeUp.UserId, item.WakeUp.DeviceId);
            _pending.Remove(key);
            _lastWoken[key] = now;
        }

        ForgetOldWakes(now);
        return due;
    }

    /// <summary>Puts a failed wake-up back, due after <paramref name="delay"/>, unless a newer one for the device is pending.</summary>
    public void Retry(DueWakeUp item, DateTimeOffset now, TimeSpan delay)
    {
        var key = (item.WakeUp.UserId, item.WakeUp.DeviceId);
        if (!_pending.ContainsKey(key) && _pending.Count < capacity)
        {
            _pending[key] = new Entry { From = item.WakeUp.From, Due = now + delay, Attempt = item.Attempt + 1 };
        }
    }

    private void ForgetOldWakes(DateTimeOffset now)
    {
        if (_lastWoken.Count < capacity)
        {
            return;
        }

        foreach (var key in _lastWoken.Where(w => w.Value + options.MinInterval <= now).Select(w => w.Key).ToList())
        {
            _lastWoken.Remove(key);
        }
    }

    private sealed class Entry
    {
        public required string From { get; set; }

        public DateTimeOffset Due { get; init; }

        public int Attempt { get; init; }
    }
}

/// <summary>A wake-up taken for sending, with how many times it was tried before.</summary>
public readonly record struct DueWakeUp(WakeUp WakeUp, int Attempt);
