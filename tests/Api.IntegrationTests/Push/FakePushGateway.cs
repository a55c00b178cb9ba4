using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Chat.IntegrationTests.Push;

/// <summary>
/// A real HTTP receiver (Kestrel on a free loopback port) standing in for the push gateway. It records every
/// notification it accepts; it can fail the first calls with 503 and report tokens as dead.
/// </summary>
public sealed class FakePushGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedWakeUp> _received = Channel.CreateUnbounded<ReceivedWakeUp>();
    private int _failuresLeft;

    private FakePushGateway(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <summary>Every call, accepted or not, with its raw body.</summary>
    public List<string> Calls { get; } = [];

    /// <summary>Tokens to report dead in the answer.</summary>
    public HashSet<string> DeadTokens { get; } = [];

    public int FailFirst
    {
        set => _failuresLeft = value;
    }

    public static async Task<FakePushGateway> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var gateway = new FakePushGateway(app);
        app.MapPost("/wake", gateway.HandleAsync);
        await app.StartAsync();
        gateway.Url = app.Urls.Single() + "/wake";
        return gateway;
    }

    /// <summary>Waits for the next accepted wake-up that matches.</summary>
    public async Task<ReceivedWakeUp> NextAsync(Func<ReceivedWakeUp, bool> match)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var wakeUp in _received.Reader.ReadAllAsync(cts.Token))
        {
            if (match(wakeUp))
            {
                return wakeUp;
            }
        }

        throw new InvalidOperationException("closed");
    }

    public List<ReceivedWakeUp> Accepted { get; } = [];

    private async Task<IResult> HandleAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        lock (Calls)
        {
            Calls.Add(body);
        }

        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        var dead = new List<string>();
        foreach (var n in JsonDocument.Parse(body).RootElement.GetProperty("notifications").EnumerateArray())
        {
            var wakeUp = new ReceivedWakeUp(
                n.GetProperty("provider").GetString()!,
                n.GetProperty("token").GetString()!,
                n.GetProperty("userId").GetString()!,
                n.GetProperty("deviceId").GetInt32(),
                n.GetProperty("from").GetString()!,
                n.GetProperty("pending").GetInt64());
            lock (Accepted)
            {
                Accepted.Add(wakeUp);
            }

            if (DeadTokens.Contains(wakeUp.Token))
            {
                dead.Add(wakeUp.Token);
            }

            _received.Writer.TryWrite(wakeUp);
        }

        return Results.Json(new { deadTokens = dead });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedWakeUp(string Provider, string Token, string UserId, int DeviceId, string From, long Pending);
