using Microsoft.AspNetCore.SignalR;

namespace Chat.Hubs.Chat;

/// <summary>Keeps <see cref="OpenSessions"/> up to date as connections open and close.</summary>
public sealed class OpenSessionsHubFilter(OpenSessions sessions) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        sessions.Add(context.Context);
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        sessions.Remove(context.Context);
        return next(context, exception);
    }
}
