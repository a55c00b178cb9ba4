namespace Chat.Domain.Overload;

/// <summary>
/// Admission control for new sessions (the talk's login gating). Closes when the backlog stays high for a
/// while, reopens with hysteresis once it falls low, and can be forced either way by an operator; a forced
/// state holds until the operator releases it. Sessions already connected are never affected.
/// </summary>
public sealed class LoginGate(LoginGateOptions options, TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private DateTimeOffset? _highSince;
    private bool _autoClosed;
    private bool? _forcedOpen;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsOpen
    {
        get
        {
            lock (_lock)
            {
                return _forcedOpen ?? !_autoClosed;
            }
        }
    }

    public TimeSpan RetryAfter => options.RetryAfter;

    public LoginGateState State
    {
        get
        {
            lock (_lock)
            {
                var reason = _forcedOpen is not null ? "operator" : _autoClosed ? "backlog" : "normal";
                return new LoginGateState(_forcedOpen ?? !_autoClosed, reason, _forcedOpen is not null, ChangedAt);
            }
        }
    }

    public DateTimeOffset? ChangedAt { get; private set; }

    /// <summary>Feeds one backlog sample (called once per sampler tick).</summary>
    public void Observe(long totalBacklog)
    {
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            var wasOpen = _forcedOpen ?? !_autoClosed;
            if (totalBacklog > options.CloseAboveBacklog)
            {
                _highSince ??= now;
                if (!_autoClosed && now - _highSince.Value >= options.CloseAfter)
                {
                    _autoClosed = true;
                }
            }
            else
            {
                _highSince = null;
                if (_autoClosed && totalBacklog < options.ReopenBelowBacklog)
                {
                    _autoClosed = false;
                }
            }

            SignalIfChanged(wasOpen, now);
        }
    }

    /// <summary>An operator forces the gate open or closed; null hands it back to the backlog rule.</summary>
    public void Force(bool? open)
    {
        lock (_lock)
        {
            var wasOpen = _forcedOpen ?? !_autoClosed;
            _forcedOpen = open;
            SignalIfChanged(wasOpen, timeProvider.GetUtcNow());
        }
    }

    /// <summary>Completes when the gate reaches <paramref name="open"/> (at once if it already has).</summary>
    public async Task WaitForAsync(bool open, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if ((_forcedOpen ?? !_autoClosed) == open)
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    private void SignalIfChanged(bool wasOpen, DateTimeOffset now)
    {
        if ((_forcedOpen ?? !_autoClosed) != wasOpen)
        {
            ChangedAt = now;
            var previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            previous.TrySetResult();
        }
    }
}

public sealed record LoginGateState(bool Open, string Reason, bool Forced, DateTimeOffset? ChangedAt);
