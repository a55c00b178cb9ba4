using Chat.Domain.Errors;
using Chat.Domain.Messaging;
using Chat.Hubs.Contracts;

namespace Chat.Hubs.Chat;

public sealed partial class ChatHub
{
    /// <summary>Stores a "read" receipt for the sender of each message; only a recipient may mark a message read.</summary>
    public Task<int> MarkRead(MarkReadRequest request)
    {
        var input = request ?? throw ChatException.Invalid("a request body is required.");
        return mailboxes.MarkReadAsync(CurrentUser, CurrentDevice, input.MessageIds, Context.ConnectionAborted);
    }

    private Task<SendResult> SendToGroupAsync(SendMessageRequest input)
    {
        if (input.To is not null)
        {
            throw ChatException.Invalid("give either 'to' or 'groupId', not both.");
        }

        var expiresAt = mailboxes.ValidateSend(input.ClientMessageId, input.Payload, input.TtlSeconds);
        return groups.SendAsync(CurrentUser, CurrentDevice, input.GroupId!, input.ClientMessageId, input.Payload, expiresAt, Context.ConnectionAborted);
    }
}
