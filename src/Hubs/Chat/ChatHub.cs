using Chat.Domain.Devices;
using Chat.Domain.Errors;
using Chat.Domain.Groups;
using Chat.Domain.Messaging;
using Chat.Domain.Presence;
using Chat.Domain.RateLimits;
using Chat.Hubs.Contracts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Chat.Hubs.Chat;

/// <summary>The real-time session. Methods are thin: validation and storage live in <see cref="MailboxService"/>.</summary>
[Authorize]
public sealed partial class ChatHub(
    MailboxService mailboxes,
    ChatMetrics metrics,
    GroupService groups,
    PresenceService presenceService,
    TypingService typing,
    UserAddressing addressing,
    UserRateLimits limits,
    DeviceService devices,
    DeviceSessions sessions,
    DevicePresence devicePresence,
    ILogger<ChatHub> logger)
    : Hub<IChatClient>
{
    public const string Path = "/hubs/chat";

    private string CurrentUser => DeviceClaims.UserOf(Context.User) ?? throw ChatException.Forbidden("no user on this connection.");

    /// <summary>The connection's device: each device has its own mailbox, seqs and acks.</summary>
    private int CurrentDevice => DeviceClaims.DeviceOf(Context.User) ?? throw ChatException.Forbidden("no device on this connection.");

    private string CurrentAddress => DeviceIds.AddressOf(CurrentUser, CurrentDevice);

    public override async Task OnConnectedAsync()
    {
        // Presence first: it counts the user's connections on every node, this one included, for the cap.
        await BestEffortAsync(() => presenceService.ConnectedAsync(CurrentUser, Context.ConnectionId, Context.ConnectionAborted), "presence online");
        await RefuseOverConnectionCapAsync();

        // Push and presence need Redis; fetching and sending do not. The backplane's own subscriptions are made
        // best effort by the lifetime manager (ResilientHubLifetimeManager) and presence here, so a session opens
        // without Redis and the client syncs by FetchPending. Only without the backplane does a connection join a
        // group for its user (see UserAddressing).
        if (addressing.JoinsUserGroup)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, UserGroups.For(CurrentAddress), Context.ConnectionAborted);
        }

        sessions.Add(CurrentAddress, Context);
        metrics.ConnectionOpened();
        if (CurrentDevice != DeviceIds.Primary)
        {
            // Only linked devices are swept for inactivity; the primary device's last seen is written at disconnect,
            // so a connect storm of one-device accounts costs no extra database write.
            await BestEffortAsync(() => devices.TouchAsync(CurrentUser, CurrentDevice, CancellationToken.None), "device last seen");
        }

        await BestEffortAsync(() => devicePresence.ConnectedAsync(CurrentUser, CurrentDevice, Context.ConnectionId, Context.ConnectionAborted), "device session");
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        metrics.ConnectionClosed();
        sessions.Remove(CurrentAddress, Context.ConnectionId);
        await BestEffortAsync(() => devicePresence.DisconnectedAsync(CurrentUser, CurrentDevice, Context.ConnectionId, CancellationToken.None), "device session");
        await BestEffortAsync(() => devices.TouchAsync(CurrentUser, CurrentDevice, CancellationToken.None), "device last seen");
        await BestEffortAsync(() => presenceService.DisconnectedAsync(CurrentUser, Context.ConnectionId, CancellationToken.None), "presence offline");
        await base.OnDisconnectedAsync(exception);
    }

    public async Task<SendMessageResponse> SendMessage(SendMessageRequest request)
    {
        var input = request ?? throw ChatException.Invalid("a request body is required.");
        await limits.CheckSendAsync(CurrentUser, Context.ConnectionAborted);
        var result = input.GroupId is null
            ? await mailboxes.SendAsync(CurrentUser, CurrentDevice, input.ClientMessageId, input.To, input.Payload, input.TtlSeconds, Context.ConnectionAborted)
            : await SendToGroupAsync(input);
        metrics.MessageSent();
        return new SendMessageResponse { MessageId = result.MessageId, ServerTimestamp = result.ServerTimestamp.ToUnixTimeMilliseconds() };
    }

    public async Task<FetchPendingResponse> FetchPending(FetchPendingRequest request)
    {
        var input = request ?? throw ChatException.Invalid("a request body is required.");
        var page = await mailboxes.FetchPendingAsync(CurrentUser, CurrentDevice, input.AfterSeq, input.Limit, Context.ConnectionAborted);
        return new FetchPendingResponse { Envelopes = page.Envelopes.Select(EnvelopeDto.Of).ToList(), HasMore = page.HasMore };
    }

    public Task<int> Ack(AckRequest request)
    {
        var input = request ?? throw ChatException.Invalid("a request body is required.");
        return mailboxes.AckAsync(CurrentUser, CurrentDevice, input.UpToSeq, Context.ConnectionAborted);
    }
}
