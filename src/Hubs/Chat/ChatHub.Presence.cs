using Chat.Domain.Errors;
using Chat.Hubs.Contracts;

namespace Chat.Hubs.Chat;

public sealed partial class ChatHub
{
    /// <summary>Online status and last seen of up to Presence:MaxQueryUsers users, as their privacy lets the caller see them.</summary>
    public async Task<GetPresenceResponse> GetPresence(GetPresenceRequest request)
    {
        var input = request ?? throw ChatException.Invalid("a request body is required.");
        var views = await presenceService.GetPresenceAsync(CurrentUser, input.UserIds, Context.ConnectionAborted);
        return new GetPresenceResponse { Presences = views.Select(PresenceDto.Of).ToList() };
    }

    /// <summary>Tells the peer (or the group's other members) that the caller is typing; only online connections get it.</summary>
    public Task Typing(TypingRequest request)
    {
        var input = request ?? throw ChatException.Invalid("a request body is required.");
        return typing.SendAsync(CurrentUser, input.To, input.GroupId, Context.ConnectionAborted);
    }
}
