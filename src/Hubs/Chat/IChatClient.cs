using Chat.Hubs.Contracts;

namespace Chat.Hubs.Chat;

/// <summary>What the server may call on a connected client. The method names are wire names (docs/PROTOCOL.md).</summary>
public interface IChatClient
{
    Task ReceiveMessage(EnvelopeDto envelope);
}
