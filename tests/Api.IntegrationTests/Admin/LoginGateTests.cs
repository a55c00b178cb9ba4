using System.Net;
using System.Net.Http.Json;
using Chat.Domain.Overload;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.IntegrationTests.Admin;

public sealed class LoginGateTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Closed_gate_refuses_new_sessions_with_503_while_connected_sessions_keep_working()
    {
        await using var alice = await factory.ConnectAsync(Ids.User("alice"));
        var bobId = Ids.User("bob");
        await factory.RegisterAsync(bobId);
        using var admin = factory.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Admin-Key", ApiFactory.AdminApiKey);

        using var close = await admin.PostAsJsonAsync("/admin/gate", new { open = false });
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => factory.ConnectAsync(bobId, register: false));
        using var negotiate = await factory.CreateClient().PostAsync("/hubs/chat/negotiate?negotiateVersion=1", null);
        var stillWorks = await alice.SendAsync(alice.UserId, "connected sessions are unaffected");
        using var reopen = await admin.PostAsJsonAsync("/admin/gate", new { open = (bool?)null });
        await using var bob = await factory.ConnectAsync(bobId, register: false);

        Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, negotiate.StatusCode);
        Assert.NotNull(negotiate.Headers.RetryAfter?.Delta);
        Assert.NotEqual(Guid.Empty, stillWorks.MessageId);
        Assert.Equal(HubConnectionState.Connected, bob.Connection.State);
        Assert.True(factory.Services.GetRequiredService<LoginGate>().IsOpen);
    }
}
