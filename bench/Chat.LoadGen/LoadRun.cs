using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.LoadGen;

/// <summary>A failure that ends the run before anything is measured (server not there, setup refused, ...).</summary>
public sealed class LoadGenException(string message) : Exception(message);

/// <summary>One run: set up users and connections, send for warm-up + duration, wait, verify, report.</summary>
public sealed partial class LoadRun(LoadGenOptions options, TextWriter log)
{
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan TailTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan SettleStall = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ErrorPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    private readonly RunStats _stats = new();
    private readonly List<VirtualClient> _clients = [];
    private int _outstanding;
    private int _groups;

    public async Task<RunReport> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var setupWatch = Stopwatch.StartNew();
        using var http = new HttpClient { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(100) };
        for (var i = 0; i < options.Users; i++)
        {
            _clients.Add(new VirtualClient(i, $"lg-{options.RunId}-{i}", _stats, options));
        }

        try
        {
            using (var setup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                setup.CancelAfter(SetupTimeout);
                try
                {
                    await CheckReadyAsync(http, setup.Token);
                    var tokens = await SignUpAllAsync(http, setup.Token);
                    await ConnectAllAsync(tokens, setup.Token);
                    await Parallel.ForEachAsync(
                        _clients,
                        new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism, CancellationToken = setup.Token },
                        async (client, token) => await client.DrainLeftoversAsync(token));
                    if (options.GroupSize > 0)
                    {
                        await CreateGroupsAsync(http, tokens, setup.Token);
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new LoadGenException($"setup did not finish within {SetupTimeout.TotalMinutes} minutes.");
                }
            }

            var setupSeconds = setupWatch.Elapsed.TotalSeconds;
            Log($"setup done in {setupSeconds:0.0} s: {options.Users} users connected ({Describe()})");

            using var receivers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var ackLoops = _clients.Select(c => c.RunAckLoopAsync(receivers.Token)).ToList();
            var measuredSeconds = await SendPhaseAsync(cancellationToken);
            var settleSeconds = await SettleAsync(cancellationToken);
            await receivers.CancelAsync();
            await Task.WhenAll(ackLoops);
            var drainFailures = await FinalDrainAsync(cancellationToken);
            return BuildReport(startedAt, setupSeconds, measuredSeconds, settleSeconds, drainFailures);
        }
        finally
        {
            Log($"closing connections");
            await Parallel.ForEachAsync(_clients, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (c, _) => await c.DisposeAsync());
        }
    }

    private string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{options.Protocol}, {options.Transport}, {options.Senders} senders, rate {(options.Rate == 0 ? "max" : options.Rate.ToString(CultureInfo.InvariantCulture) + "/s")}, in flight {options.InFlight}{(_groups > 0 ? $", {_groups} groups of {options.GroupSize}" : "")}");

    private void Log(FormattableString message) =>
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.Now:HH:mm:ss}] ") + message.ToString(CultureInfo.InvariantCulture));

    private async Task CheckReadyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("health/ready", UriKind.Relative), cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new LoadGenException($"{options.Url}health/ready answered {(int)response.StatusCode}; is the server up and healthy?");
            }
        }
        catch (HttpRequestException e)
        {
            throw new LoadGenException($"cannot reach {options.Url}: {e.Message}");
        }
    }

    private async Task<string[]> SignUpAllAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var cache = TokenCache.Load(options.TokenCache);
        var tokens = new string[options.Users];
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = cache.Find(_clients[i].UserId) ?? "";
        }

        var missing = tokens.Count(t => t.Length == 0);
        Log($"registering and signing in {missing} users (lg-{options.RunId}-0..{options.Users - 1}; {options.Users - missing} tokens reused), {options.SetupParallelism} at a time");
        tokens = await SignUpAsync(http, tokens, cache, cancellationToken);
        cache.Save(options.TokenCache);
        return tokens;
    }

    private async Task<string[]> SignUpAsync(HttpClient http, string[] tokens, TokenCache cache, CancellationToken cancellationToken)
    {
        var done = 0;
        var step = Math.Max(1, options.Users / 5);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, options.Users).Where(i => tokens[i].Length == 0),
            new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var credentials = new CredentialsBody(_clients[i].UserId, options.Password);
                using (var created = await PostAsync(http, "api/accounts", credentials, null, token))
                {
                    if (created.StatusCode is not HttpStatusCode.Created and not HttpStatusCode.Conflict)
                    {
                        throw new LoadGenException($"POST /api/accounts for {credentials.UserId}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(token)}");
                    }
                }

                using var signedIn = await PostAsync(http, "api/tokens", credentials, null, token);
                if (!signedIn.IsSuccessStatusCode)
                {
                    throw new LoadGenException($"POST /api/tokens for {credentials.UserId}: {(int)signedIn.StatusCode} {await signedIn.Content.ReadAsStringAsync(token)}");
                }

                var body = await signedIn.Content.ReadFromJsonAsync<TokenBody>(token);
                tokens[i] = body?.AccessToken ?? throw new LoadGenException($"POST /api/tokens for {credentials.UserId}: no accessToken.");
                cache.Add(credentials.UserId, tokens[i], body.ExpiresAt);
                var n = Interlocked.Increment(ref done);
                if (n % step == 0)
                {
                    Log($"  signed in {n}/{options.Users}");
                }
            });
        return tokens;
    }

    private async Task ConnectAllAsync(string[] tokens, CancellationToken cancellationToken)
    {
        Log($"connecting {options.Users} hubs");
        await Parallel.ForEachAsync(
            _clients,
            new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism * 2, CancellationToken = cancellationToken },
            async (client, token) =>
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await client.ConnectAsync(tokens[client.Index], token);
                        return;
                    }
                    catch (Exception e) when (attempt < 5 && e is not OperationCanceledException)
                    {
                        // The login gate answers 503 while the server is overloaded; wait and retry.
                        await Task.Delay(TimeSpan.FromSeconds(attempt), token);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        throw new LoadGenException($"cannot connect {client.UserId}: {e.Message}");
                    }
                }
            });
    }

    /// <summary>Consecutive users form groups of --group-size; the first member creates the group.</summary>
    private async Task CreateGroupsAsync(HttpClient http, string[] tokens, CancellationToken cancellationToken)
    {
        _groups = options.Users / options.GroupSize;
        Log($"creating {_groups} groups of {options.GroupSize}");
        await Parallel.ForEachAsync(
            Enumerable.Range(0, _groups),
            new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism, CancellationToken = cancellationToken },
            async (g, token) =>
            {
                var members = Enumerable.Range(g * options.GroupSize, options.GroupSize).ToList();
                var body = new CreateGroupBody($"lg-{options.RunId}-g{g}", members.Skip(1).Select(m => _clients[m].UserId).ToList());
                using var response = await PostAsync(http, "api/groups", body, tokens[members[0]], token);
                if (!response.IsSuccessStatusCode)
                {
                    throw new LoadGenException($"POST /api/groups: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token)}");
                }

                var group = await response.Content.ReadFromJsonAsync<GroupBody>(token) ?? throw new LoadGenException("POST /api/groups: no body.");
                foreach (var m in members)
                {
                    _clients[m].GroupId = group.GroupId;
                    _clients[m].GroupPeers = members.Where(p => p != m).ToList();
                }
            });
    }

    private static async Task<HttpResponseMessage> PostAsync<T>(HttpClient http, string path, T body, string? bearer, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
            if (bearer is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }

            try
            {
                var response = await http.SendAsync(request, cancellationToken);
                if ((int)response.StatusCode < 500 || attempt >= 5)
                {
                    return response;
                }

                response.Dispose();
            }
            catch (HttpRequestException) when (attempt < 5)
            {
            }

            await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
        }
    }

    /// <summary>Sends for warm-up + duration; returns the measured seconds.</summary>
    private async Task<double> SendPhaseAsync(CancellationToken cancellationToken)
    {
        var senders = _clients.Take(options.Senders).ToList();
        var begin = Stopwatch.GetTimestamp();
        var windowStart = begin + (options.WarmupSeconds * Stopwatch.Frequency);
        var windowEnd = windowStart + (options.DurationSeconds * Stopwatch.Frequency);
        _stats.OpenWindow(windowStart, windowEnd);
        Log($"sending: {options.WarmupSeconds} s warm-up, then {options.DurationSeconds} s measured");
        var cpu = new ProcessCpu(options.Watch);
        var cpuSampled = SampleCpuAsync(cpu, windowStart, windowEnd, cancellationToken);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var progressStop = new CancellationTokenSource();
        var progress = ReportProgressAsync(begin, windowStart, progressStop.Token);

        var load = options.Rate == 0
            ? Task.WhenAll(senders.SelectMany(s => Enumerable.Range(0, options.InFlight).Select(_ => ClosedLoopAsync(s, stop.Token, abort.Token))))
            : OpenLoopAsync(senders, windowEnd, stop.Token, abort.Token);

        try
        {
            await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), windowEnd), cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
        }

        var measuredSeconds = (double)(Math.Min(Stopwatch.GetTimestamp(), windowEnd) - windowStart) / Stopwatch.Frequency;
        try
        {
            await load.WaitAsync(TailTimeout, cancellationToken);
            var tail = Stopwatch.StartNew();
            while (Volatile.Read(ref _outstanding) > 0 && tail.Elapsed < TailTimeout)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
        catch (TimeoutException)
        {
        }

        if (Volatile.Read(ref _outstanding) > 0)
        {
            Log($"{Volatile.Read(ref _outstanding)} sends still open {TailTimeout.TotalSeconds} s after the end: cancelling them");
            await abort.CancelAsync();
            while (Volatile.Read(ref _outstanding) > 0)
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }

        await load;
        await progressStop.CancelAsync();
        await progress;
        _cpu = await cpuSampled;
        return measuredSeconds;
    }

    private IReadOnlyDictionary<string, double> _cpu = new Dictionary<string, double>();

    /// <summary>CPU of the watched processes between the window's start and end.</summary>
    private static async Task<IReadOnlyDictionary<string, double>> SampleCpuAsync(ProcessCpu cpu, long windowStart, long windowEnd, CancellationToken cancellationToken)
    {
        static TimeSpan Until(long timestamp) => TimeSpan.FromTicks(Math.Max(0, Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp).Ticks));
        await Task.Delay(Until(windowStart), cancellationToken);
        cpu.Start();
        await Task.Delay(Until(windowEnd), cancellationToken);
        return cpu.Stop();
    }

    /// <summary>--rate 0: each sender keeps --inflight calls going back to back.</summary>
    private async Task ClosedLoopAsync(VirtualClient sender, CancellationToken stop, CancellationToken abort)
    {
        while (!stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _outstanding);
            bool ok;
            try
            {
                ok = await SendOneAsync(sender, abort);
            }
            finally
            {
                Interlocked.Decrement(ref _outstanding);
            }

            if (!ok)
            {
                try
                {
                    await Task.Delay(ErrorPause, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>A fixed rate: every 5 ms, start the sends that are due, round-robin over senders with a free slot.</summary>
    private async Task OpenLoopAsync(List<VirtualClient> senders, long windowEnd, CancellationToken stop, CancellationToken abort)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        var begin = Stopwatch.GetTimestamp();
        long issued = 0;
        var next = 0;
        try
        {
            while (Stopwatch.GetTimestamp() < windowEnd && await timer.WaitForNextTickAsync(stop))
            {
                var due = (long)(options.Rate * Stopwatch.GetElapsedTime(begin).TotalSeconds) - issued;
                for (var i = 0; i < due; i++)
                {
                    issued++;
                    VirtualClient? chosen = null;
                    for (var tries = 0; tries < senders.Count && chosen is null; tries++)
                    {
                        var candidate = senders[next];
                        next = (next + 1) % senders.Count;
                        if (candidate.TryReserveSlot(options.InFlight))
                        {
                            chosen = candidate;
                        }
                    }

                    if (chosen is null)
                    {
                        // Every sender has --inflight calls open: the server (or this process) is not keeping up.
                        if (_stats.InWindow(Stopwatch.GetTimestamp()))
                        {
                            _stats.Skipped.Add(due - i);
                        }

                        issued += due - i - 1;
                        break;
                    }

                    Interlocked.Increment(ref _outstanding);
                    _ = SendAndReleaseAsync(chosen, abort);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task SendAndReleaseAsync(VirtualClient sender, CancellationToken abort)
    {
        try
        {
            await SendOneAsync(sender, abort);
        }
        finally
        {
            sender.ReleaseSlot();
            Interlocked.Decrement(ref _outstanding);
        }
    }

    /// <summary>One SendMessage; never throws. Returns whether it was acknowledged.</summary>
    private async Task<bool> SendOneAsync(VirtualClient sender, CancellationToken abort)
    {
        var start = Stopwatch.GetTimestamp();
        var measured = _stats.InWindow(start);
        var request = new SendMessageRequest { ClientMessageId = Guid.NewGuid().ToString("N"), Payload = Payloads.Create(start, options.PayloadBytes) };
        VirtualClient? recipient = null;
        if (sender.GroupId is not null && Random.Shared.NextDouble() < options.GroupShare)
        {
            request.GroupId = sender.GroupId;
        }
        else
        {
            var r = Random.Shared.Next(_clients.Count - 1);
            recipient = _clients[r >= sender.Index ? r + 1 : r];
            request.To = recipient.UserId;
        }

        _stats.TotalAttempted.Increment();
        if (measured)
        {
            _stats.Attempted.Increment();
        }

        try
        {
            var response = await sender.Connection.InvokeAsync<SendMessageResponse>(HubMethods.SendMessage, request, abort);
            var elapsed = Stopwatch.GetTimestamp() - start;
            _stats.TotalAcknowledged.Increment();
            if (measured)
            {
                _stats.Acknowledged.Increment();
                _stats.SendAck.Record(elapsed);
                _stats.ExpectedDeliveriesInWindow.Add(recipient is null ? sender.GroupPeers.Count : 1);
            }

            if (recipient is not null)
            {
                recipient.Expect(response.MessageId);
            }
            else
            {
                foreach (var peer in sender.GroupPeers)
                {
                    _clients[peer].Expect(response.MessageId);
                }
            }

            return true;
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            _stats.Unfinished.Increment();
            return false;
        }
        catch (Exception e)
        {
            var code = ErrorCounts.CodeOf(e);
            _stats.AllSendErrors.Add(code);
            if (measured)
            {
                _stats.SendErrors.Add(code);
            }

            return false;
        }
    }

    private async Task ReportProgressAsync(long begin, long windowStart, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(ProgressInterval);
        long lastAcked = 0;
        var lastAt = Stopwatch.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = Stopwatch.GetTimestamp();
                var acked = _stats.TotalAcknowledged.Value;
                var rate = (acked - lastAcked) / Stopwatch.GetElapsedTime(lastAt, now).TotalSeconds;
                (lastAcked, lastAt) = (acked, now);
                Log($"  {Stopwatch.GetElapsedTime(begin, now).TotalSeconds,4:0}s {(now < windowStart ? "warm-up  " : "measuring")} acked {acked,8} ({rate,7:0}/s)  received {_stats.MessagesReceived.Value,8}  send errors {_stats.AllSendErrors.Total,6}  open {Volatile.Read(ref _outstanding),5}  disconnects {_stats.Disconnects.Value}");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Waits for the pushes of the last sends: until nothing is missing, or no progress for a few seconds.</summary>
    private async Task<double> SettleAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        long last = -1;
        var lastChange = TimeSpan.Zero;
        long missing;
        while (true)
        {
            missing = _clients.Sum(c => (long)c.CountMissing());
            if (missing == 0 || watch.Elapsed > SettleTimeout)
            {
                break;
            }

            if (missing != last)
            {
                (last, lastChange) = (missing, watch.Elapsed);
            }
            else if (watch.Elapsed - lastChange > SettleStall)
            {
                break;
            }

            await Task.Delay(250, cancellationToken);
        }

        Log($"settled after {watch.Elapsed.TotalSeconds:0.0} s; {missing} expected messages not received by push yet, checking with FetchPending");
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>Every receiver pages through everything still pending (afterSeq 0): the database is the truth.</summary>
    private async Task<int> FinalDrainAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        await Parallel.ForEachAsync(
            _clients,
            new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism * 2, CancellationToken = cancellationToken },
            async (client, token) =>
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                    timeout.CancelAfter(TimeSpan.FromSeconds(60));
                    await client.EnsureConnectedAsync(timeout.Token);
                    await client.FetchAsync(EnvelopeSource.FinalFetch, timeout.Token);
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failures);
                    _stats.ReceiverErrors.Add("final fetch: " + ErrorCounts.CodeOf(e));
                }
            });
        return failures;
    }

    private RunReport BuildReport(DateTimeOffset startedAt, double setupSeconds, double measuredSeconds, double settleSeconds, int drainFailures)
    {
        var acked = _stats.Acknowledged.Value;
        var config = new ReportConfig(
            options.Url.ToString(), options.RunId, options.Users, options.Senders, options.Rate, options.InFlight, options.DurationSeconds,
            options.WarmupSeconds, options.PayloadBytes, options.Protocol.ToString().ToLowerInvariant(), options.Transport.ToString().ToLowerInvariant(),
            options.GroupSize, _groups, options.GroupShare, options.AckEvery, options.AckIntervalMs, options.NoAck, Environment.ProcessorCount);
        var sends = new SendCounts(
            _stats.Attempted.Value, acked, _stats.SendErrors.Total, _stats.SendErrors.Snapshot(), _stats.Skipped.Value,
            _stats.TotalAttempted.Value, _stats.TotalAcknowledged.Value, _stats.AllSendErrors.Total, _stats.AllSendErrors.Snapshot(), _stats.Unfinished.Value);
        var check = new DeliveryCheck(
            _clients.Sum(c => (long)c.CountExpected()),
            _stats.MessagesReceived.Value,
            _clients.Sum(c => (long)c.CountMissing()),
            _clients.Sum(c => (long)c.CountUnexpected()),
            _stats.DuplicateMessages.Value,
            _stats.DuplicatePushes.Value,
            _stats.PushesAfterFetch.Value,
            _stats.ViaGapFetch.Value,
            _stats.ViaFinalFetch.Value,
            _stats.GapFetches.Value,
            _stats.Receipts.Value,
            _stats.OtherKinds.Value,
            _stats.AckCalls.Value,
            _stats.ReceiverErrors.Snapshot(),
            _stats.Disconnects.Value,
            drainFailures);
        return new RunReport(
            startedAt,
            config,
            Math.Round(setupSeconds, 1),
            Math.Round(measuredSeconds, 2),
            Math.Round(settleSeconds, 1),
            sends,
            Math.Round(acked / measuredSeconds, 1),
            Math.Round(_stats.DeliveredInWindow.Value / measuredSeconds, 1),
            _stats.ExpectedDeliveriesInWindow.Value,
            _stats.DeliveredInWindow.Value,
            _stats.SendAck.Summarize(),
            _stats.Delivery.Summarize(),
            check,
            _cpu,
            Verdict.Of(config, options.PassRatio, options.PassP99Ms, _stats.DeliveredInWindow.Value / measuredSeconds, sends, _stats.Delivery.Summarize(), check));
    }
}
