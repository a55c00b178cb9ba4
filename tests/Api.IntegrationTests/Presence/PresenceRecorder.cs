using System.Threading.Channels;
using Chat.Hubs.Contracts;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.IntegrationTests.Presence;

/// <summary>Records the PresenceChanged and UserTyping calls a client receives.</summary>
public sealed class PresenceRecorder
{
    private readonly Channel<PresenceDto> _presence = Channel.CreateUnbounded<PresenceDto>();
    private readonly Channel<TypingDto> _typing = Channel.CreateUnbounded<TypingDto>();

    public PresenceRecorder(HubConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.On<PresenceDto>("PresenceChanged", p => _presence.Writer.TryWrite(p));
        connection.On<TypingDto>("UserTyping", t => _typing.Writer.TryWrite(t));
    }

    /// <summary>The next presence change received, in order.</summary>
    public Task<PresenceDto> NextPresenceAsync(TimeSpan? timeout = null) => NextAsync(_presence.Reader, timeout);

    public Task<TypingDto> NextTypingAsync(TimeSpan? timeout = null) => NextAsync(_typing.Reader, timeout);

    /// <summary>Whether anything arrived that was not read yet; check it after an event that must come later.</summary>
    public bool HasUnreadPresence => _presence.Reader.Count > 0;

    public bool HasUnreadTyping => _typing.Reader.Count > 0;

    private static async Task<T> NextAsync<T>(ChannelReader<T> reader, TimeSpan? timeout)
    {
        using var cts = new CancellationTokenSource(timeout ?? TaskTimeouts.Default);
        return await reader.ReadAsync(cts.Token);
    }
}
