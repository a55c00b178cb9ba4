using System.Diagnostics;
using Chat.Hubs.Contracts;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.FaultTests.Load;

/// <summary>
/// One user on the official .NET SignalR client, through the load balancer: WebSockets with negotiation skipped,
/// automatic reconnect, a sync (FetchPending) after every reconnect and now and then, acks up to the highest seq
/// below which it has no gap, and sends that retry with the same clientMessageId until one is answered.
/// </summary>
public sealed class LoadClient : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private readonly Lock _lock = new();
    private readonly Dictionary<long, Received> _received = [];
    private long _acked;
    private int _reconnects;

    private LoadClient(string userId, HubConnection connection)
    {
        UserId = userId;
        Connection = connection;
        connection.On<EnvelopeDto>("ReceiveMessage", e => Record(e, pushed: true));
        connection.Reconnected += connectionId =>
        {
            Interlocked.Increment(ref _reconnects);
            _ = SafeAsync(SyncAsync);
            return Task.CompletedTask;
        };
    }

    public string UserId { get; }

    public HubConnection Connection { get; }

    public int Reconnects => Volatile.Read(ref _reconnects);

    public bool IsConnected => Connection.State == HubConnectionState.Connected;

    public static async Task<LoadClient> ConnectAsync(string baseUrl, string userId, string token, CancellationToken cancellationToken)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(baseUrl + "/hubs/chat", o =>
            {
                o.SkipNegotiation = true;
                o.Transports = HttpTransportType.WebSockets;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .WithAutomaticReconnect(new ReconnectForever())
            .Build();
        var client = new LoadClient(userId, connection);
        while (true)
        {
            try
            {
                await connection.StartAsync(cancellationToken);
                return client;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // a node refusing new sessions or restarting: the load balancer picks another on the next try
                await Task.Delay(300, cancellationToken);
            }
        }
    }

    /// <summary>Sends until one attempt is answered "stored", or gives up when <paramref name="giveUp"/> fires.</summary>
    public async Task SendAsync(SendRecord record, LoadFigures figures, CancellationToken giveUp)
    {
        var request = new SendMessageRequest { ClientMessageId = record.ClientMessageId, To = record.To, GroupId = record.GroupId, Payload = record.ClientMessageId };
        while (!giveUp.IsCancellationRequested)
        {
            if (!IsConnected)
            {
                await Task.Delay(100, CancellationToken.None);
                continue;
            }

            record.Attempts++;
            record.LastAttemptAt = Stopwatch.GetTimestamp();
            figures.Attempt();
            try
            {
                using var timeout = new CancellationTokenSource(CallTimeout);
                var answer = await Connection.InvokeAsync<SendMessageResponse>("SendMessage", request, timeout.Token);
                record.AnsweredId = answer.MessageId;
                record.AnsweredAt = Stopwatch.GetTimestamp();
                figures.Stored();
                return;
            }
            catch (HubException e)
            {
                var code = CodeOf(e.Message);
                figures.Refused(code, e.Message);
                if (code is not ("overloaded" or "unavailable"))
                {
                    return;
                }

                await Task.Delay(300 + Random.Shared.Next(0, 400), CancellationToken.None);
            }
            catch (Exception)
            {
                // no answer: the connection went away or the call timed out; the message may be stored
                figures.NoAnswer();
                await Task.Delay(100, CancellationToken.None);
            }
        }
    }

    /// <summary>Fetches everything after the highest seq below which nothing is missing.</summary>
    public async Task SyncAsync()
    {
        var after = ContiguousHigh();
        while (true)
        {
            using var timeout = new CancellationTokenSource(CallTimeout);
            var page = await Connection.InvokeAsync<FetchPendingResponse>("FetchPending", new FetchPendingRequest { AfterSeq = after, Limit = 200 }, timeout.Token);
            foreach (var envelope in page.Envelopes)
            {
                Record(envelope, pushed: false);
                after = Math.Max(after, envelope.Seq);
            }

            if (!page.HasMore)
            {
                return;
            }
        }
    }

    /// <summary>Acknowledges up to the highest seq below which nothing is missing, as the protocol asks.</summary>
    public async Task AckAsync()
    {
        var upTo = ContiguousHigh();
        if (upTo <= Interlocked.Read(ref _acked))
        {
            return;
        }

        using var timeout = new CancellationTokenSource(CallTimeout);
        await Connection.InvokeAsync<int>("Ack", new AckRequest { UpToSeq = upTo }, timeout.Token);
        Interlocked.Exchange(ref _acked, upTo);
    }

    public bool HasGap
    {
        get
        {
            lock (_lock)
            {
                return _received.Count > 0 && _received.Keys.Max() > ContiguousHighLocked();
            }
        }
    }

    /// <summary>Everything this user has seen, one entry per seq (a seq seen twice, by push and by sync, counts once).</summary>
    public IReadOnlyList<Received> Envelopes()
    {
        lock (_lock)
        {
            return [.. _received.Values.OrderBy(r => r.Envelope.Seq)];
        }
    }

    /// <summary>Seqs between 1 and the highest seen that this user never saw.</summary>
    public int SeqGaps()
    {
        lock (_lock)
        {
            return _received.Count == 0 ? 0 : (int)(_received.Keys.Max() - _received.Count);
        }
    }

    public long ContiguousHigh()
    {
        lock (_lock)
        {
            return ContiguousHighLocked();
        }
    }

    private long ContiguousHighLocked()
    {
        var seq = Interlocked.Read(ref _acked);
        while (_received.ContainsKey(seq + 1))
        {
            seq++;
        }

        return seq;
    }

    private void Record(EnvelopeDto envelope, bool pushed)
    {
        lock (_lock)
        {
            if (_received.TryGetValue(envelope.Seq, out var seen))
            {
                if (seen.Envelope.MessageId != envelope.MessageId)
                {
                    seen.Conflicts++;
                }

                return;
            }

            _received[envelope.Seq] = new Received(envelope, pushed, Stopwatch.GetTimestamp());
        }
    }

    private static string CodeOf(string message)
    {
        var start = message.LastIndexOf("HubException: ", StringComparison.Ordinal) is var i and >= 0 ? i + 14 : 0;
        var colon = message.IndexOf(':', start);
        return colon > start ? message[start..colon] : message;
    }

    private static async Task SafeAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception)
        {
            // the maintenance loop tries again
        }
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    public sealed class Received(EnvelopeDto envelope, bool pushed, long at)
    {
        public EnvelopeDto Envelope { get; } = envelope;

        public bool Pushed { get; } = pushed;

        public long At { get; } = at;

        /// <summary>Times the same seq came back with another messageId (must stay 0).</summary>
        public int Conflicts { get; set; }
    }
}
