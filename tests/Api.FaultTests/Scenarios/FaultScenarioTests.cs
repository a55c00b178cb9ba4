using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Chat.FaultTests.Cluster;
using Chat.FaultTests.Load;
using Chat.Hubs.Contracts;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace Chat.FaultTests.Scenarios;

/// <summary>
/// Faults injected into a running two-node cluster behind nginx while 20 users send a steady stream of one-to-one
/// and group messages. After each: every answered send is delivered exactly once with the id it was answered with,
/// every retried send is stored once, and no mailbox has a hole in its seqs.
/// </summary>
[Collection(FaultClusterCollection.Name)]
public sealed class FaultScenarioTests(FaultCluster cluster, ITestOutputHelper output)
{
    private const int Users = 20;
    private const int GroupSize = 5;
    private static readonly TimeSpan SendInterval = TimeSpan.FromMilliseconds(800);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Kill_9_of_a_node_loses_nothing_its_clients_move_to_the_other()
    {
        await cluster.EnsureAllRunningAsync();
        await using var run = await LoadRun.StartAsync(cluster.Url, "kill", Users, GroupSize, SendInterval);
        await WaitForAnsweredAsync(run, 60);
        var victim = cluster.Nodes[0];

        var killedAt = Stopwatch.GetTimestamp();
        await victim.KillAsync();
        var allBack = await Shell.EventuallyAsync(() => Task.FromResult(run.Clients.All(c => c.IsConnected) && run.Clients.Sum(c => c.Reconnects) > 0), TimeSpan.FromSeconds(30));
        var reconnected = Stopwatch.GetElapsedTime(killedAt);
        await WaitForAnsweredAsync(run, 60);
        await victim.StartAsync();
        await WaitForAnsweredAsync(run, 40);
        var figures = await run.StopAndVerifyAsync(Settle);

        FaultReport.Write(output, "1. kill -9 of a node", figures, $"all clients connected again {reconnected.TotalSeconds:F1} s after the kill");
        Assert.True(allBack, "clients did not all reconnect within 30 s");
        Assert.True(figures.Reconnects > 0, "no client was on the killed node");
        AssertNothingLost(figures);
    }

    [Fact]
    public async Task Rolling_restart_with_SIGTERM_loses_nothing_and_refuses_nothing()
    {
        await cluster.EnsureAllRunningAsync();
        await using var run = await LoadRun.StartAsync(cluster.Url, "rolling", Users, GroupSize, SendInterval);
        var drains = new List<TimeSpan>();

        foreach (var node in cluster.Nodes)
        {
            await WaitForAnsweredAsync(run, 60);
            drains.Add(await node.TerminateAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(0, node.ExitCode);
            await node.StartAsync();
        }

        await WaitForAnsweredAsync(run, 40);
        var figures = await run.StopAndVerifyAsync(Settle);

        FaultReport.Write(output, "2. SIGTERM rolling restart", figures, $"each node exited {string.Join(" / ", drains.Select(d => $"{d.TotalSeconds:F1} s"))} after SIGTERM");
        Assert.All(cluster.Nodes, n => Assert.Contains(n.LogLines(), l => l.Contains("Stopping: closed", StringComparison.Ordinal) && l.Contains("drained: True", StringComparison.Ordinal)));
        Assert.True(figures.Reconnects > 0, "no client moved");
        Assert.Equal(0, figures.RefusedOverloaded);
        Assert.Equal(0, figures.RefusedUnavailable);
        AssertNothingLost(figures);
    }

    [Fact]
    public async Task Redis_restart_pushes_resume_gaps_fill_by_sync_presence_recovers()
    {
        await cluster.EnsureAllRunningAsync();
        await using var run = await LoadRun.StartAsync(cluster.Url, "redis", Users, GroupSize, SendInterval);
        await WaitForAnsweredAsync(run, 60);

        await cluster.Redis.StopAsync();
        var answeredBefore = run.Figures.Answered;
        var storedWhileDown = await Shell.EventuallyAsync(() => Task.FromResult(run.Figures.Answered >= answeredBefore + 40), TimeSpan.FromSeconds(30));
        await cluster.Redis.StartAsync();
        var back = Stopwatch.GetTimestamp();
        var pushesResumed = await Shell.EventuallyAsync(() => Task.FromResult(run.FirstPushAfter(back) is not null), TimeSpan.FromSeconds(30));
        var pushAfter = run.FirstPushAfter(back) is long first ? Stopwatch.GetElapsedTime(back, first) : TimeSpan.MaxValue;
        var presenceBack = await Shell.EventuallyAsync(() => AllOnlineAsync(run), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(250));
        var presenceAfter = Stopwatch.GetElapsedTime(back);
        await WaitForAnsweredAsync(run, 40);
        var figures = await run.StopAndVerifyAsync(Settle);

        FaultReport.Write(output, "3. Redis restarted", figures, $"first push {pushAfter.TotalSeconds:F1} s after Redis was back; every user online again after {presenceAfter.TotalSeconds:F1} s");
        Assert.True(storedWhileDown, "sends were not stored while Redis was down");
        Assert.True(pushesResumed, "no push arrived within 30 s of Redis coming back");
        Assert.True(presenceBack, "presence did not show every connected user online within 30 s");
        AssertNothingLost(figures);
    }

    [Fact]
    public async Task PostgreSQL_restart_fails_sends_as_unavailable_and_recovers_without_a_node_restart()
    {
        await cluster.EnsureAllRunningAsync();
        var pids = cluster.Nodes.Select(n => n.Pid).ToList();
        await using var run = await LoadRun.StartAsync(cluster.Url, "postgres", Users, GroupSize, SendInterval);
        await WaitForAnsweredAsync(run, 60);
        var refusedBefore = run.Figures.RefusedUnavailable;

        await cluster.Postgres.StopAsync();
        var down = Stopwatch.GetTimestamp();
        var notReady = await Shell.EventuallyAsync(async () => (await Task.WhenAll(cluster.Nodes.Select(n => n.ReadyStatusAsync()))).All(s => s == HttpStatusCode.ServiceUnavailable), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
        var refused = await Shell.EventuallyAsync(() => Task.FromResult(run.Figures.RefusedUnavailable > refusedBefore), TimeSpan.FromSeconds(20));
        await cluster.Postgres.StartAsync();
        var back = Stopwatch.GetTimestamp();
        var ready = await Shell.EventuallyAsync(async () => (await Task.WhenAll(cluster.Nodes.Select(n => n.ReadyStatusAsync()))).All(s => s == HttpStatusCode.OK), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        var readyAfter = Stopwatch.GetElapsedTime(back);
        var answeredAtReady = run.Figures.Answered;
        await WaitForAnsweredAsync(run, 60);
        var sendingAfter = Stopwatch.GetElapsedTime(back);
        var figures = await run.StopAndVerifyAsync(Settle);

        FaultReport.Write(output, "4. PostgreSQL restarted", figures, $"down {Stopwatch.GetElapsedTime(down, back).TotalSeconds:F1} s; both nodes ready {readyAfter.TotalSeconds:F1} s after it was back, 60 more sends answered after {sendingAfter.TotalSeconds:F1} s");
        Assert.True(notReady, "readiness did not turn 503 on every node while PostgreSQL was down");
        Assert.True(refused, "no send was refused with unavailable while PostgreSQL was down");
        Assert.True(ready, "a node did not become ready again within 30 s");
        Assert.True(run.Figures.Answered > answeredAtReady, "sends were not answered after the restart");
        Assert.Equal(pids, cluster.Nodes.Select(n => n.Pid).ToList());
        AssertNothingLost(figures);
    }

    [Fact]
    public async Task Slow_database_on_one_node_sheds_and_gates_there_the_other_serves_and_it_recovers_within_10_s()
    {
        await cluster.EnsureAllRunningAsync();
        var slowNode = cluster.Nodes[0];
        await using var run = await LoadRun.StartAsync(cluster.Url, "slow", Users, GroupSize, SendInterval);
        await WaitForAnsweredAsync(run, 60);
        var overloadedBefore = run.Figures.RefusedOverloaded;

        var faultStart = Stopwatch.GetTimestamp();
        cluster.SlowLink.Delay = TimeSpan.FromMilliseconds(500);
        // The gate may reopen between samples when the backlog dips, so both are seen in one poll.
        var gated = await Shell.EventuallyAsync(
            async () => !await slowNode.GateOpenAsync() && await NegotiateStatusAsync(slowNode, run) == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
        var shed = await Shell.EventuallyAsync(() => Task.FromResult(run.Figures.RefusedOverloaded > overloadedBefore), TimeSpan.FromSeconds(20));
        var servedElsewhere = await Shell.EventuallyAsync(
            () => Task.FromResult(run.AnsweredBetween(faultStart, Stopwatch.GetTimestamp(), TimeSpan.FromMilliseconds(500)) >= 10), TimeSpan.FromSeconds(20));
        var fastAnswers = run.AnsweredBetween(faultStart, Stopwatch.GetTimestamp(), TimeSpan.FromMilliseconds(500));
        cluster.SlowLink.Delay = TimeSpan.Zero;
        var faultEnd = Stopwatch.GetTimestamp();
        var recovered = await Shell.EventuallyAsync(
            async () => await slowNode.GateOpenAsync() && await slowNode.BacklogAsync() == 0 && await slowNode.ReadyStatusAsync() == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        var recovery = Stopwatch.GetElapsedTime(faultEnd);
        await using var direct = await SendThroughAsync(slowNode, run);
        await WaitForAnsweredAsync(run, 40);
        var figures = await run.StopAndVerifyAsync(Settle);

        FaultReport.Write(output, "5. slow database on one node", figures, $"fault {Stopwatch.GetElapsedTime(faultStart, faultEnd).TotalSeconds:F1} s, {fastAnswers} sends answered within 0.5 s meanwhile; node recovered (gate open, backlog 0, ready) {recovery.TotalSeconds:F1} s after it ended");
        Assert.True(gated, "the slow node's login gate did not close and refuse a new session");
        Assert.True(shed, "the slow node did not shed with overloaded");
        Assert.True(servedElsewhere, "the other node did not keep answering quickly during the fault");
        Assert.True(recovered && recovery <= TimeSpan.FromSeconds(10), $"the slow node took {recovery.TotalSeconds:F1} s to recover");
        AssertNothingLost(figures);
    }

    private static void AssertNothingLost(LoadFigures figures)
    {
        Assert.True(figures.OtherErrors == 0, "unexpected errors: " + string.Join(" | ", figures.OtherErrorSamples));
        Assert.Equal(0, figures.Unresolved);
        Assert.Equal(0, figures.Lost);
        Assert.Equal(0, figures.Duplicates);
        Assert.Equal(0, figures.WrongMessageIds);
        Assert.Equal(0, figures.SeqGaps);
        Assert.Equal(figures.ExpectedDeliveries, figures.Delivered);
        Assert.True(figures.Answered > 0);
    }

    private static async Task WaitForAnsweredAsync(LoadRun run, int more)
    {
        var target = run.Figures.Answered + more;
        Assert.True(
            await Shell.EventuallyAsync(() => Task.FromResult(run.Figures.Answered >= target), TimeSpan.FromSeconds(60)),
            $"the load did not get {more} more answers within 60 s ({run.Figures})");
    }

    private static async Task<bool> AllOnlineAsync(LoadRun run)
    {
        var asker = run.Clients[0];
        var answer = await asker.Connection.InvokeAsync<GetPresenceResponse>("GetPresence", new GetPresenceRequest { UserIds = run.Clients.Select(c => (string?)c.UserId).ToList() });
        return answer.Presences.All(p => p.Online == true);
    }

    /// <summary>A new session asked of the slow node itself: the gate answers it without touching the database.</summary>
    private static async Task<HttpStatusCode> NegotiateStatusAsync(ApiNode node, LoadRun run)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Post, node.Url + "/hubs/chat/negotiate?negotiateVersion=1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run.TokenOf(run.Clients[0].UserId));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>After recovery the slow node takes a new session and stores a send again.</summary>
    private static async Task<LoadClient> SendThroughAsync(ApiNode node, LoadRun run)
    {
        using var connecting = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var sender = run.Clients[^1];
        var client = await LoadClient.ConnectAsync(node.Url, sender.UserId, run.TokenOf(sender.UserId), connecting.Token);
        var answer = await client.Connection.InvokeAsync<SendMessageResponse>(
            "SendMessage", new SendMessageRequest { ClientMessageId = Guid.NewGuid().ToString("N"), To = run.Clients[0].UserId, Payload = "probe" }).OrTimeout();
        Assert.NotEqual(Guid.Empty, answer.MessageId);
        return client;
    }
}
