using Chat.Hubs.Contracts;

namespace Chat.Hubs.Chat;

/// <summary>What the server may call on a connected client. The method names are wire names (docs/PROTOCOL.md).</summary>
public interface IChatClient
{
    Task ReceiveMessage(EnvelopeDto envelope);

    /// <summary>A watched user's first connection opened or last one closed (never stored).</summary>
    Task PresenceChanged(PresenceDto presence);

    /// <summary>A peer is typing to this user, or in a group when groupId is set (never stored).</summary>
    Task UserTyping(TypingDto typing);
}
