using System.Collections.Concurrent;

namespace Chat.Domain.Accounts;

/// <summary>Failed sign-ins counted in this process: one node, or the fallback while Redis is unreachable.</summary>
public sealed class InProcessSignInFailures(SignInBackoff backoff, TimeProvider time) : ISignInFailures
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _nextPruneTicks;

    public ValueTask<SignInRecord> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcTicks;
        if (!_entries.TryGetValue(userId, out var entry))
        {
            return ValueTask.FromResult(default(SignInRecord));
        }

        lock (entry)
        {
            return ValueTask.FromResult(entry.ForgetAtTicks <= now
                ? default
                : new SignInRecord(entry.Failures, TimeSpan.FromTicks(Math.Max(0, entry.LockedUntilTicks - now))));
        }
    }

    public ValueTask<TimeSpan> RecordFailureAsync(string userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcTicks;
        PruneIfDue(now);
        var entry = _entries.GetOrAdd(userId, static _ => new Entry());
        lock (entry)
        {
            if (entry.ForgetAtTicks <= now)
            {
                entry.Failures = 0;
                entry.LockedUntilTicks = 0;
            }

            entry.Failures++;
            var delay = backoff.DelayAfter(entry.Failures);
            entry.LockedUntilTicks = now + delay.Ticks;
            entry.ForgetAtTicks = now + backoff.Memory.Ticks;
            return ValueTask.FromResult(delay);
        }
    }

    public ValueTask ResetAsync(string userId, CancellationToken cancellationToken)
    {
        _entries.TryRemove(userId, out _);
        return ValueTask.CompletedTask;
    }

    private void PruneIfDue(long now)
    {
        var due = Interlocked.Read(ref _nextPruneTicks);
        if (now < due || Interlocked.CompareExchange(ref _nextPruneTicks, now + backoff.Memory.Ticks, due) != due)
        {
            return;
        }

        foreach (var (userId, entry) in _entries)
        {
            if (Volatile.Read(ref entry.ForgetAtTicks) <= now)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(userId, entry));
            }
        }
    }

    private sealed class Entry
    {
        public long Failures;
        public long LockedUntilTicks;
        public long ForgetAtTicks;
    }
}
