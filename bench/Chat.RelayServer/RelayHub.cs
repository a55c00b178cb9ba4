using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Chat.Hubs.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace Chat.RelayServer;

/// <summary>All the relay remembers: a seq counter per recipient and the members of each group.</summary>
public sealed class RelayState
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _seqs = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, string[]> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>The recipient's next seq: monotonically increasing, so clients checking seqs for gaps see a well-formed stream.</summary>
    public long NextSeq(string userId) => Interlocked.Increment(ref _seqs.GetOrAdd(userId, static _ => new StrongBox<long>()).Value);
}

/// <summary>
/// The chat hub's methods with the same names and shapes, relaying each message straight to the recipients'
/// connections. Nothing is stored, so FetchPending is always empty, Ack deletes nothing and no "delivered" (or
/// "read") receipts are ever produced.
/// </summary>
public sealed class RelayHub(RelayState state) : Hub
{
    private const string UserKey = "user";

    private string CurrentUser => (string)Context.Items[UserKey]!;

    /// <summary>The token is the user id: from access_token in the query (WebSockets) or the Bearer header.</summary>
    public static string TokenOf(HttpContext? http)
    {
        if (http is null)
        {
            return "";
        }

        var query = http.Request.Query["access_token"].ToString();
        if (query.Length > 0)
        {
            return query;
        }

        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
    }

    public override async Task OnConnectedAsync()
    {
        var user = TokenOf(Context.GetHttpContext());
        if (user.Length == 0)
        {
            throw new HubException("forbidden: no access token.");
        }

        Context.Items[UserKey] = user;
        await Groups.AddToGroupAsync(Context.ConnectionId, UserGroup(user), Context.ConnectionAborted);
        await base.OnConnectedAsync();
    }

    public async Task<SendMessageResponse> SendMessage(SendMessageRequest request)
    {
        var from = CurrentUser;
        var messageId = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (request.GroupId is { } groupId)
        {
            if (!state.Groups.TryGetValue(groupId, out var members))
            {
                throw new HubException("not_found: no such group.");
            }

            foreach (var member in members)
            {
                if (member != from)
                {
                    await RelayAsync(member, messageId, from, groupId, request.Payload, now);
                }
            }
        }
        else
        {
            if (string.IsNullOrEmpty(request.To))
            {
                throw new HubException("invalid_request: give 'to' or 'groupId'.");
            }

            await RelayAsync(request.To, messageId, from, null, request.Payload, now);
        }

        return new SendMessageResponse { MessageId = messageId, ServerTimestamp = now };
    }

    /// <summary>Nothing is stored, so nothing is pending.</summary>
    public FetchPendingResponse FetchPending(FetchPendingRequest request) => new() { Envelopes = [], HasMore = false };

    /// <summary>Nothing is stored, so nothing is deleted and no delivered receipt is produced.</summary>
    public int Ack(AckRequest request) => 0;

    public int MarkRead(MarkReadRequest request) => 0;

    public GetPresenceResponse GetPresence(GetPresenceRequest request) => new() { Presences = [] };

    public Task Typing(TypingRequest request) => Task.CompletedTask;

    private static string UserGroup(string userId) => "u:" + userId; // as the chat server names it (UserGroups.For)

    private Task RelayAsync(string to, Guid messageId, string from, string? groupId, string? payload, long sentAt) =>
        Clients.Group(UserGroup(to)).SendAsync(
            "ReceiveMessage",
            new EnvelopeDto { Seq = state.NextSeq(to), MessageId = messageId, Kind = "message", From = from, GroupId = groupId, Payload = payload, SentAt = sentAt },
            Context.ConnectionAborted);
}
