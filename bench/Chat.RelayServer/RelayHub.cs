using System.Collections.Concurrent;
using Chat.Hubs.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace Chat.RelayServer;

/// <summary>Per-recipient seqs, so clients that check seqs for gaps see a well-formed stream.</summary>
public sealed class RelaySequences
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _next = new(StringComparer.Ordinal);

    public long Next(string userId) => Interlocked.Increment(ref _next.GetOrAdd(userId, _ => new StrongBox<long>()).Value);

    private sealed class StrongBox<T>
    {
        public T Value = default!;
    }
}

/// <summary>Relays each message to the recipient's user group; the token is the user id.</summary>
public sealed class RelayHub(RelaySequences sequences) : Hub
{
    private string User => Context.GetHttpContext()?.Request.Query["access_token"] is { Count: > 0 } token
        ? token.ToString()
        : Context.GetHttpContext()?.Request.Headers.Authorization.ToString().Replace("Bearer ", "", StringComparison.Ordinal) ?? "";

    public override Task OnConnectedAsync() => Groups.AddToGroupAsync(Context.ConnectionId, "u:" + User);

    public async Task<SendMessageResponse> SendMessage(SendMessageRequest request)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var messageId = Guid.CreateVersion7();
        var to = request.To ?? "";
        await Clients.Group("u:" + to).SendAsync("ReceiveMessage", new EnvelopeDto
        {
            Seq = sequences.Next(to),
            MessageId = messageId,
            Kind = "message",
            From = User,
            Payload = request.Payload,
            SentAt = now,
        });
        return new SendMessageResponse { MessageId = messageId, ServerTimestamp = now };
    }

    public FetchPendingResponse FetchPending(FetchPendingRequest request) => new() { Envelopes = [], HasMore = false };

    public int Ack(AckRequest request) => 0;
}
