using System.Net.Http.Json;
using Chat.BrowserTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.BrowserTests.Dashboard;

/// <summary>Two users on real SignalR clients, one sending to the other until stopped: traffic for the charts.</summary>
public sealed class SmallLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<HubConnection> _connections = [];
    private Task _sending = Task.CompletedTask;

    public int Sent { get; private set; }

    public static async Task<SmallLoad> StartAsync(Uri server)
    {
        var load = new SmallLoad();
        var sender = await load.ConnectAsync(server, Ids.User("load-a"));
        var receiver = Ids.User("load-b");
        var inbox = await load.ConnectAsync(server, receiver);
        inbox.On<ReceivedEnvelope>("ReceiveMessage", e => inbox.InvokeAsync<int>("Ack", new { upToSeq = e.Seq }));
        load._sending = load.SendUntilStoppedAsync(sender, receiver);
        return load;
    }

    private async Task<HubConnection> ConnectAsync(Uri server, string userId)
    {
        using var http = new HttpClient { BaseAddress = server };
        (await http.PostAsJsonAsync("/api/accounts", new { userId, password = "correct horse battery" })).EnsureSuccessStatusCode();
        var token = await (await http.PostAsJsonAsync("/api/tokens", new { userId, password = "correct horse battery" }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<TokenBody>();
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server, "/hubs/chat"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token!.AccessToken))
            .Build();
        await connection.StartAsync();
        _connections.Add(connection);
        return connection;
    }

    private async Task SendUntilStoppedAsync(HubConnection sender, string to)
    {
        while (!_stop.IsCancellationRequested)
        {
            // A few messages at a time, paced by their answers: enough to move the rates, not to load the machine.
            var batch = Enumerable.Range(0, 5).Select(_ => sender.InvokeAsync<object>("SendMessage", new { clientMessageId = Guid.NewGuid().ToString(), to, payload = "load" }));
            await Task.WhenAll(batch);
            Sent += 5;
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _sending;
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Stopping mid-send is fine.
        }

        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        _stop.Dispose();
    }

    private sealed record TokenBody(string AccessToken);

    private sealed record ReceivedEnvelope(long Seq);
}
