using System.Diagnostics;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.LoadGen;

/// <summary>Where an envelope came from.</summary>
public enum EnvelopeSource
{
    Push,
    GapFetch,
    FinalFetch,
}

/// <summary>
/// One user with one hub connection. As a receiver it follows the client loop of docs/PROTOCOL.md: it keeps the
/// highest seq below which it has no gap, fills a gap that lasts with FetchPending (authoritative), and
/// acknowledges only that gap-free prefix, in batches. It also remembers which message ids it must receive
/// (the acknowledged sends addressed to it) to count missing ones at the end.
/// </summary>
public sealed class VirtualClient(int index, string userId, RunStats stats, LoadGenOptions options) : IAsyncDisposable
{
    private static readonly TimeSpan GapPatience = TimeSpan.FromMilliseconds(500);

    private readonly Lock _gate = new();
    private readonly SortedSet<long> _ahead = [];
    private readonly HashSet<long> _pushedSeqs = [];
    private readonly HashSet<Guid> _received = [];
    private readonly HashSet<Guid> _expected = [];
    private readonly SemaphoreSlim _ackSignal = new(0);
    private HubConnection? _connection;
    private long _contiguous;
    private long _acknowledged;
    private long _gapSince;
    private int _unacknowledged;
    private bool _ackSignalled;
    private bool _idle;
    private int _inFlight;
    private volatile bool _stopping;

    public int Index => index;

    public string UserId => userId;

    public string? GroupId { get; set; }

    /// <summary>Indexes of the other members of <see cref="GroupId"/>.</summary>
    public IReadOnlyList<int> GroupPeers { get; set; } = [];

    public HubConnection Connection => _connection ?? throw new InvalidOperationException($"{userId} is not connected.");

    public async Task ConnectAsync(string accessToken, CancellationToken cancellationToken)
    {
        var transport = options.Transport == WireTransport.LongPolling ? HttpTransportType.LongPolling : HttpTransportType.WebSockets;
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(options.Url, "hubs/chat"), transport, o =>
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
            });
        if (options.Protocol == WireProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol();
        }

        var connection = builder.Build();
        // The handler runs on the connection's receive loop: it only records, it never calls the hub.
        connection.On<EnvelopeDto>(HubMethods.ReceiveMessage, e => OnEnvelope(e, EnvelopeSource.Push));
        connection.Closed += _ =>
        {
            if (!_stopping)
            {
                stats.Disconnects.Increment();
            }

            return Task.CompletedTask;
        };
        _connection = connection;
        await connection.StartAsync(cancellationToken);
    }

    /// <summary>Reopens a connection that the server closed, for the final drain.</summary>
    public async Task EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        if (Connection.State == HubConnectionState.Disconnected)
        {
            await Connection.StartAsync(cancellationToken);
        }
    }

    /// <summary>An acknowledged send addressed to this user.</summary>
    public void Expect(Guid messageId)
    {
        lock (_gate)
        {
            _expected.Add(messageId);
        }
    }

    /// <summary>Expected message ids not received (yet).</summary>
    public int CountMissing()
    {
        lock (_gate)
        {
            return _expected.Count(id => !_received.Contains(id));
        }
    }

    /// <summary>Received messages that no acknowledged send accounts for (a failed or unfinished send that was stored anyway).</summary>
    public int CountUnexpected()
    {
        lock (_gate)
        {
            return _received.Count(id => !_expected.Contains(id));
        }
    }

    public int CountExpected()
    {
        lock (_gate)
        {
            return _expected.Count;
        }
    }

    public bool TryReserveSlot(int limit)
    {
        if (Interlocked.Increment(ref _inFlight) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    public void ReleaseSlot() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Acknowledges every N envelopes or every interval, and fills gaps that last.</summary>
    public async Task RunAckLoopAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromMilliseconds(options.AckIntervalMs);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // With nothing to acknowledge or fill, sleep until an envelope arrives: a timed wait per receiver
                // every interval would cost the generator thousands of timer callbacks a second.
                bool idle;
                lock (_gate)
                {
                    idle = _contiguous <= _acknowledged && _gapSince == 0 && _ahead.Count == 0;
                    _idle = idle;
                }

                if (idle)
                {
                    await _ackSignal.WaitAsync(cancellationToken);
                    continue; // something arrived: wait the interval (or for AckEvery envelopes) before acknowledging
                }

                await _ackSignal.WaitAsync(interval, cancellationToken);
                bool gapIsOld;
                lock (_gate)
                {
                    _ackSignalled = false;
                    gapIsOld = _gapSince != 0 && Stopwatch.GetElapsedTime(_gapSince) > GapPatience;
                }

                if (gapIsOld)
                {
                    await FetchAsync(EnvelopeSource.GapFetch, cancellationToken);
                }

                await AckPrefixAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                stats.ReceiverErrors.Add(ErrorCounts.CodeOf(e));
                try
                {
                    await Task.Delay(interval, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Pages through FetchPending after the gap-free prefix. What it returns is authoritative: a seq below the
    /// last one returned that is not returned no longer exists, so the prefix moves past it.
    /// </summary>
    public async Task FetchAsync(EnvelopeSource source, CancellationToken cancellationToken)
    {
        if (source == EnvelopeSource.GapFetch)
        {
            stats.GapFetches.Increment();
        }

        long after;
        lock (_gate)
        {
            after = source == EnvelopeSource.FinalFetch ? 0 : _contiguous;
        }

        while (true)
        {
            var page = await Connection.InvokeAsync<FetchPendingResponse>(
                HubMethods.FetchPending, new FetchPendingRequest { AfterSeq = after, Limit = 500 }, cancellationToken);
            foreach (var envelope in page.Envelopes)
            {
                OnEnvelope(envelope, source);
                after = Math.Max(after, envelope.Seq);
            }

            if (!page.HasMore || page.Envelopes.Count == 0)
            {
                break;
            }
        }

        lock (_gate)
        {
            _contiguous = Math.Max(_contiguous, after);
            Advance();
            _gapSince = _ahead.Count == 0 ? 0 : Stopwatch.GetTimestamp();
        }
    }

    /// <summary>
    /// Before the run: acknowledges whatever an earlier run against the same users left pending (messages sent
    /// after its end, receipts of its last acks) and starts the gap-free prefix after it, so a rerun with reused
    /// users (--token-cache) neither counts old messages nor sees a gap at its first push.
    /// </summary>
    public async Task DrainLeftoversAsync(CancellationToken cancellationToken)
    {
        long after = 0;
        while (true)
        {
            var page = await Connection.InvokeAsync<FetchPendingResponse>(
                HubMethods.FetchPending, new FetchPendingRequest { AfterSeq = after, Limit = 500 }, cancellationToken);
            after = page.Envelopes.Count > 0 ? page.Envelopes[^1].Seq : after;
            if (!page.HasMore || page.Envelopes.Count == 0)
            {
                break;
            }
        }

        if (after > 0 && !options.NoAck)
        {
            await Connection.InvokeAsync<int>(HubMethods.Ack, new AckRequest { UpToSeq = after }, cancellationToken);
        }

        lock (_gate)
        {
            // Pushes that raced with this drain are at or below 'after' and are dropped as repeats.
            _contiguous = Math.Max(_contiguous, after);
            _acknowledged = after;
        }
    }

    public async Task AckPrefixAsync(CancellationToken cancellationToken)
    {
        long upTo;
        int batch;
        lock (_gate)
        {
            upTo = _contiguous;
            batch = _unacknowledged;
        }

        if (upTo <= _acknowledged || options.NoAck)
        {
            return;
        }

        stats.AckCalls.Increment();
        await Connection.InvokeAsync<int>(HubMethods.Ack, new AckRequest { UpToSeq = upTo }, cancellationToken);
        _acknowledged = upTo;
        lock (_gate)
        {
            _unacknowledged = Math.Max(0, _unacknowledged - batch);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        if (_connection is not null)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _connection.StopAsync(timeout.Token);
            }
            catch (Exception)
            {
                // The run is over; a connection that does not close cleanly changes no result.
            }

            await _connection.DisposeAsync();
        }

        _ackSignal.Dispose();
    }

    private void OnEnvelope(EnvelopeDto envelope, EnvelopeSource source)
    {
        var now = Stopwatch.GetTimestamp();
        var signal = false;
        lock (_gate)
        {
            if (source == EnvelopeSource.Push && !_pushedSeqs.Add(envelope.Seq))
            {
                stats.DuplicatePushes.Increment();
                return;
            }

            if (envelope.Seq <= _contiguous || _ahead.Contains(envelope.Seq))
            {
                // Already had it: a push that arrives after a fetch returned it, or a fetch that returns what was
                // pushed but not acknowledged yet. Both are normal (docs/PROTOCOL.md, delivery rule 3).
                if (source == EnvelopeSource.Push)
                {
                    stats.PushesAfterFetch.Increment();
                }

                return;
            }

            if (envelope.Seq == _contiguous + 1)
            {
                _contiguous = envelope.Seq;
                Advance();
                _gapSince = _ahead.Count == 0 ? 0 : now;
            }
            else
            {
                _ahead.Add(envelope.Seq);
                if (_gapSince == 0)
                {
                    _gapSince = now;
                }
            }

            _unacknowledged++;
            if (_idle)
            {
                _idle = false;
                signal = true;
            }

            if (_unacknowledged >= options.AckEvery && !_ackSignalled)
            {
                _ackSignalled = true;
                signal = true;
            }

            switch (envelope.Kind)
            {
                case "message":
                    if (!_received.Add(envelope.MessageId))
                    {
                        stats.DuplicateMessages.Increment();
                        break;
                    }

                    stats.MessagesReceived.Increment();
                    if (source == EnvelopeSource.FinalFetch)
                    {
                        stats.ViaFinalFetch.Increment();
                        break;
                    }

                    if (source == EnvelopeSource.GapFetch)
                    {
                        stats.ViaGapFetch.Increment();
                    }

                    if (Payloads.TryReadStamp(envelope.Payload, out var sentAt) && stats.InWindow(sentAt))
                    {
                        stats.DeliveredInWindow.Increment();
                        stats.Delivery.Record(now - sentAt);
                    }

                    break;
                case "delivered":
                    stats.Receipts.Increment();
                    break;
                default:
                    stats.OtherKinds.Increment();
                    break;
            }
        }

        if (signal)
        {
            _ackSignal.Release();
        }
    }

    private void Advance()
    {
        while (_ahead.Count > 0 && _ahead.Min <= _contiguous + 1)
        {
            _contiguous = Math.Max(_contiguous, _ahead.Min);
            _ahead.Remove(_ahead.Min);
        }
    }
}
