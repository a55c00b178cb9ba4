using System.Threading.Channels;
using Chat.Hubs.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.IntegrationTests.Infrastructure;

/// <summary>A signed-in SignalR client that records every pushed envelope.</summary>
public sealed class ChatClient : IAsyncDisposable
{
    private readonly Channel<EnvelopeDto> _received = Channel.CreateUnbounded<EnvelopeDto>();
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChatClient(string userId, HubConnection connection)
    {
        UserId = userId;
        Connection = connection;
        connection.On<EnvelopeDto>("ReceiveMessage", envelope => _received.Writer.TryWrite(envelope));
        connection.Closed += error =>
        {
            _closed.TrySetResult(error);
            return Task.CompletedTask;
        };
    }

    /// <summary>Completes when the connection closes, with the error it closed with (null for a clean close).</summary>
    public Task<Exception?> ClosedWith => _closed.Task;

    public string UserId { get; }

    public HubConnection Connection { get; }

    /// <summary>The device this client signed in as (1, the primary, unless it linked a new one).</summary>
    public int DeviceId { get; set; } = 1;

    public string Token { get; set; } = "";

    public Task<int> MarkReadAsync(params Guid[] messageIds) =>
        Connection.InvokeAsync<int>("MarkRead", new MarkReadRequest { MessageIds = messageIds }).OrTimeout();

    public Task<SendMessageResponse> SendAsync(string to, string payload, string? clientMessageId = null, int? ttlSeconds = null) =>
        Connection.InvokeAsync<SendMessageResponse>("SendMessage", new SendMessageRequest
        {
            ClientMessageId = clientMessageId ?? Guid.NewGuid().ToString("N"),
            To = to,
            Payload = payload,
            TtlSeconds = ttlSeconds,
        }).OrTimeout();

    public Task<FetchPendingResponse> FetchAsync(long afterSeq = 0, int limit = 100) =>
        Connection.InvokeAsync<FetchPendingResponse>("FetchPending", new FetchPendingRequest { AfterSeq = afterSeq, Limit = limit }).OrTimeout();

    public Task<int> AckAsync(long upToSeq) =>
        Connection.InvokeAsync<int>("Ack", new AckRequest { UpToSeq = upToSeq }).OrTimeout();

    /// <summary>Pulls every pending envelope, page by page, as a reconnecting client does.</summary>
    public async Task<List<EnvelopeDto>> DrainAsync(int pageSize = 100)
    {
        var all = new List<EnvelopeDto>();
        long after = 0;
        while (true)
        {
            var page = await FetchAsync(after, pageSize);
            all.AddRange(page.Envelopes);
            if (page.Envelopes.Count > 0)
            {
                after = page.Envelopes[^1].Seq;
            }

            if (!page.HasMore)
            {
                return all;
            }
        }
    }

    /// <summary>Waits for the next pushed envelope that matches.</summary>
    public async Task<EnvelopeDto> ReceiveAsync(Func<EnvelopeDto, bool>? match = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TaskTimeouts.Default);
        await foreach (var envelope in _received.Reader.ReadAllAsync(cts.Token))
        {
            if (match is null || match(envelope))
            {
                return envelope;
            }
        }

        throw new InvalidOperationException("channel closed");
    }

    /// <summary>The error code a hub call failed with ("not_found", ...), from the HubException message prefix.</summary>
    public static async Task<string> ErrorCodeOf(Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<HubException>(call);
        var colon = error.Message.IndexOf(": ", StringComparison.Ordinal);
        Assert.True(colon > 0, $"error without a code: {error.Message}");
        // SignalR prefixes server errors with "An unexpected error occurred invoking 'X' on the server. HubException: ".
        var message = error.Message[(error.Message.LastIndexOf("HubException: ", StringComparison.Ordinal) is var i and >= 0 ? i + 14 : 0)..];
        return message[..message.IndexOf(':', StringComparison.Ordinal)];
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
