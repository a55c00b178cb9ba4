using System.Collections.Concurrent;

namespace Chat.Domain.Presence;

/// <summary>
/// A fixed-window counter per user. Windows of users who stopped typing are pruned now and then, so memory
/// follows the users active in the last few windows. Per node: a user with connections on two nodes gets
/// the allowance on each, which is good enough for noise like typing.
/// </summary>
public sealed class TypingRateLimiter(TypingOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private long _nextPruneTicks;

    /// <summary>Takes one unit of the user's allowance; when none is left, says how long until the window resets.</summary>
    public bool TryAcquire(string userId, out TimeSpan retryAfter)
    {
        var now = time.GetUtcNow().UtcTicks;
        var length = options.Window.Ticks;
        PruneIfDue(now, length);

        var window = _windows.GetOrAdd(userId, _ => new Window());
        lock (window)
        {
            if (now - window.StartTicks >= length || now < window.StartTicks)
            {
                window.StartTicks = now;
                window.Count = 0;
            }

            if (window.Count >= options.MaxPerWindow)
            {
                retryAfter = TimeSpan.FromTicks(window.StartTicks + length - now);
                return false;
            }

            window.Count++;
            retryAfter = TimeSpan.Zero;
            return true;
        }
    }

    private void PruneIfDue(long now, long length)
    {
        var due = Interlocked.Read(ref _nextPruneTicks);
        if (now < due || Interlocked.CompareExchange(ref _nextPruneTicks, now + (length * 10), due) != due)
        {
            return;
        }

        foreach (var (userId, window) in _windows)
        {
            if (now - Volatile.Read(ref window.StartTicks) >= length * 2)
            {
                _windows.TryRemove(new KeyValuePair<string, Window>(userId, window));
            }
        }
    }

    private sealed class Window
    {
        public long StartTicks;
        public int Count;
    }
}
