using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chat.FaultTests.Load;

/// <summary>
/// A steady stream of one-to-one and group messages from many users through the load balancer, and the final
/// check: every answered send delivered exactly once (after seq de-duplication) to every recipient, with the
/// messageId it was answered with; nothing stored twice; seqs per mailbox without holes.
/// </summary>
public sealed class LoadRun : IAsyncDisposable
{
    private const string Password = "fault suite password";

    private readonly string _baseUrl;
    private readonly List<LoadClient> _clients = [];
    private readonly Dictionary<string, string[]> _groupOf = [];
    private readonly List<SendRecord> _records = [];
    private readonly CancellationTokenSource _stopSending = new();
    private readonly CancellationTokenSource _giveUp = new();
    private readonly List<Task> _loops = [];
    private readonly TimeSpan _interval;
    private readonly Dictionary<string, string> _tokens = [];

    private LoadRun(string baseUrl, TimeSpan interval)
    {
        _baseUrl = baseUrl;
        _interval = interval;
    }

    public LoadFigures Figures { get; } = new();

    public IReadOnlyList<LoadClient> Clients => _clients;

    /// <summary>Registers <paramref name="users"/> users, puts them in groups of <paramref name="groupSize"/>, connects them all and starts sending.</summary>
    public static async Task<LoadRun> StartAsync(string baseUrl, string prefix, int users, int groupSize, TimeSpan interval)
    {
        var run = new LoadRun(baseUrl, interval);
        var ids = Enumerable.Range(0, users).Select(i => $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}-{i}").ToArray();
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
        var tokens = new string[users];
        await Parallel.ForEachAsync(Enumerable.Range(0, users), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            await PostAsync(http, "/api/accounts", new { userId = ids[i], password = Password }, null, ct);
            var token = await PostAsync(http, "/api/tokens", new { userId = ids[i], password = Password }, null, ct);
            tokens[i] = token.GetProperty("accessToken").GetString()!;
        });

        for (var start = 0; start + 1 < users; start += groupSize)
        {
            var members = ids[start..Math.Min(users, start + groupSize)];
            var group = await PostAsync(http, "/api/groups", new { name = "faults", members = members[1..] }, tokens[start], CancellationToken.None);
            var groupId = group.GetProperty("groupId").GetString()!;
            foreach (var member in members)
            {
                run._groupOf[member] = [groupId, .. members];
            }
        }

        using var connecting = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var clients = await Task.WhenAll(Enumerable.Range(0, users).Select(i => LoadClient.ConnectAsync(baseUrl, ids[i], tokens[i], connecting.Token)));
        run._clients.AddRange(clients);
        for (var i = 0; i < users; i++)
        {
            run._tokens[ids[i]] = tokens[i];
        }

        foreach (var client in clients)
        {
            run._loops.Add(run.SendLoopAsync(client));
            run._loops.Add(run.MaintainLoopAsync(client));
        }

        return run;
    }

    public string TokenOf(string userId) => _tokens[userId];

    /// <summary>Answered sends whose answering attempt started inside the window and took at most <paramref name="within"/>.</summary>
    public int AnsweredBetween(long from, long to, TimeSpan within)
    {
        lock (_records)
        {
            return _records.Count(r => r.AnsweredId is not null && r.LastAttemptAt >= from && r.LastAttemptAt <= to
                && Stopwatch.GetElapsedTime(r.LastAttemptAt, r.AnsweredAt) <= within);
        }
    }

    /// <summary>The first time after <paramref name="since"/> that any client got an envelope by push; null if none did.</summary>
    public long? FirstPushAfter(long since) =>
        _clients.SelectMany(c => c.Envelopes()).Where(r => r.Pushed && r.At > since).Select(r => (long?)r.At).Min();

    /// <summary>Stops new sends, lets every pending one retry until answered (at most <paramref name="settle"/>), syncs every user and checks.</summary>
    public async Task<LoadFigures> StopAndVerifyAsync(TimeSpan settle)
    {
        await _stopSending.CancelAsync();
        _giveUp.CancelAfter(settle);
        await Task.WhenAll(_loops);

        foreach (var client in _clients)
        {
            await WaitConnectedAsync(client, TimeSpan.FromSeconds(30));
            await client.SyncAsync();
        }

        Verify();
        return Figures;
    }

    private void Verify()
    {
        var byUser = _clients.ToDictionary(c => c.UserId, c => c.Envelopes());
        var messages = byUser.ToDictionary(
            kv => kv.Key,
            kv => kv.Value.Select(r => r.Envelope).Where(e => e.Kind == "message").GroupBy(e => e.Payload!).ToDictionary(g => g.Key, g => g.ToList()));
        Figures.Messages = _records.Count;
        Figures.Retried = _records.Count(r => r.Attempts > 1);
        // A send its client never got to try (still reconnecting when the settle time ran out) was never made: nothing
        // to lose or store. Every send that was tried must have an answer.
        Figures.Unresolved = _records.Count(r => r.AnsweredId is null && r.Attempts > 0);
        Figures.Duplicates = messages.Values.Sum(m => m.Values.Sum(l => l.Count - 1));
        Figures.SeqGaps = _clients.Sum(c => c.SeqGaps());
        Figures.WrongMessageIds = byUser.Values.Sum(l => l.Sum(r => r.Conflicts));
        Figures.Reconnects = _clients.Sum(c => c.Reconnects);
        foreach (var record in _records.Where(r => r.AnsweredId is not null))
        {
            foreach (var recipient in record.Recipients)
            {
                Figures.ExpectedDeliveries++;
                if (!messages[recipient].TryGetValue(record.ClientMessageId, out var copies))
                {
                    Figures.Lost++;
                    continue;
                }

                Figures.Delivered++;
                if (copies[0].MessageId != record.AnsweredId || copies[0].From != record.Sender)
                {
                    Figures.WrongMessageIds++;
                }
            }
        }
    }

    private async Task SendLoopAsync(LoadClient client)
    {
        var others = _clients.Where(c => c != client).Select(c => c.UserId).ToArray();
        var turn = Random.Shared.Next(2);
        while (!_stopSending.IsCancellationRequested)
        {
            try
            {
                // Pacing, with jitter so the users do not send in lockstep.
                await Task.Delay(_interval * (0.5 + Random.Shared.NextDouble()), _stopSending.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var cmid = Guid.NewGuid().ToString("N");
            SendRecord record;
            if (turn++ % 2 == 0 && _groupOf.TryGetValue(client.UserId, out var group))
            {
                record = new SendRecord(cmid, client.UserId, null, group[0], group[1..].Where(m => m != client.UserId).ToArray());
            }
            else
            {
                var to = others[Random.Shared.Next(others.Length)];
                record = new SendRecord(cmid, client.UserId, to, null, [to]);
            }

            lock (_records)
            {
                _records.Add(record);
            }

            await client.SendAsync(record, Figures, _giveUp.Token);
        }
    }

    private async Task MaintainLoopAsync(LoadClient client)
    {
        var tick = 0;
        while (!_stopSending.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(700), _stopSending.Token);
                if (!client.IsConnected)
                {
                    continue;
                }

                if (client.HasGap || ++tick % 3 == 0)
                {
                    await client.SyncAsync();
                }

                await client.AckAsync();
            }
            catch (OperationCanceledException) when (_stopSending.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // an outage: try again on the next tick
            }
        }
    }

    private static async Task WaitConnectedAsync(LoadClient client, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!client.IsConnected)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{client.UserId} did not reconnect within {timeout}");
            }

            await Task.Delay(100);
        }
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object body, string? token, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return JsonDocument.Parse(text).RootElement.Clone();
            }

            if ((int)response.StatusCode < 500 || attempt == 5)
            {
                throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
            }

            await Task.Delay(500, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopSending.CancelAsync();
        await _giveUp.CancelAsync();
        await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(30));
        await Task.WhenAll(_clients.Select(c => c.DisposeAsync().AsTask()));
        _stopSending.Dispose();
        _giveUp.Dispose();
    }
}
