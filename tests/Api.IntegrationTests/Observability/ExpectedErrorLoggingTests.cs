using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Chat.Hubs.Contracts;
using Chat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog.Core;
using Serilog.Events;

namespace Chat.IntegrationTests.Observability;

/// <summary>
/// An Error in the log means the server needs an operator: the documented client errors, each refused as the
/// contract says, leave no Error entry and no stack trace, only one Information line with method, code and user.
/// </summary>
public sealed class ExpectedErrorLoggingTests : IAsyncLifetime
{
    private readonly CapturingSink _sink = new();
    private ApiFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _factory = new ApiFactory
        {
            Settings =
            {
                ["Serilog:MinimumLevel:Default"] = "Information",
                ["Typing:MaxPerWindow"] = "1",
                ["Typing:Window"] = "00:10:00",
                ["RateLimits:MaxConnectionsPerUser"] = "1",
                ["Messaging:MaxPayloadBytes"] = "1024",
            },
            ConfigureServices = services => services.AddSingleton<ILogEventSink>(_sink),
        };
        await _factory.InitializeAsync();
    }

    public Task DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task Documented_client_errors_leave_no_error_entry_and_one_line_each()
    {
        await using var alice = await _factory.ConnectAsync(Ids.User("alice"));
        await using var bob = await _factory.ConnectAsync(Ids.User("bob"));

        var codes = new List<string>
        {
            await ChatClient.ErrorCodeOf(() => alice.SendAsync(Ids.User("nobody"), "hi")),
            await ChatClient.ErrorCodeOf(() => alice.SendAsync(bob.UserId, "hi", clientMessageId: " ")),
            await ChatClient.ErrorCodeOf(() => alice.SendAsync(bob.UserId, new string('x', 2048))),
            await ChatClient.ErrorCodeOf(() => alice.Connection.InvokeAsync<int>("MarkRead", new MarkReadRequest { MessageIds = [Guid.NewGuid()] }).OrTimeout()),
            await ChatClient.ErrorCodeOf(() => alice.Connection.InvokeAsync<object>("fetchpending", new FetchPendingRequest()).OrTimeout()),
            await ChatClient.ErrorCodeOf(() => alice.Connection.InvokeAsync<object>("SendMessage", 42).OrTimeout()),
            await ChatClient.ErrorCodeOf(() => alice.FetchAsync(afterSeq: -1)),
        };
        await alice.Connection.InvokeAsync("Typing", new TypingRequest { To = bob.UserId }).OrTimeout();
        codes.Add(await ChatClient.ErrorCodeOf(() => alice.Connection.InvokeAsync("Typing", new TypingRequest { To = bob.UserId }).OrTimeout()));
        await using var secondConnection = await _factory.ConnectAsync(alice.UserId, register: false);
        var capRefusal = await secondConnection.ClosedWith.OrTimeout();
        var restStatuses = await RestClientErrorsAsync(alice.UserId);
        var afterwards = await alice.SendAsync(bob.UserId, "the server is fine");

        Assert.Equal(["not_found", "invalid_request", "payload_too_large", "forbidden", "invalid_request", "invalid_request", "invalid_request", "rate_limited"], codes);
        Assert.Contains("rate_limited", capRefusal?.Message, StringComparison.Ordinal);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.BadRequest, HttpStatusCode.NotFound], restStatuses);
        Assert.NotEqual(Guid.Empty, afterwards.MessageId);
        var errors = _sink.Events.Where(e => e.Level >= LogEventLevel.Error).Select(e => $"{CapturingSink.SourceOf(e)}: {e.RenderMessage()} {e.Exception}").ToList();
        Assert.Empty(errors);
        Assert.DoesNotContain(_sink.Events, e => e.Exception is Microsoft.AspNetCore.SignalR.HubException);
        var refusals = _sink.Events.Where(e => CapturingSink.SourceOf(e) == "Chat.Hubs.Chat.ChatErrorHubFilter").ToList();
        Assert.All(refusals, e => Assert.Equal(LogEventLevel.Information, e.Level));
        Assert.All(refusals, e => Assert.Null(e.Exception));
        Assert.Contains(refusals, e => CapturingSink.Scalar(e, "Method") == "SendMessage" && CapturingSink.Scalar(e, "Code") == "not_found" && CapturingSink.Scalar(e, "UserId") == alice.UserId);
        Assert.Contains(refusals, e => CapturingSink.Scalar(e, "Method") == "Typing" && CapturingSink.Scalar(e, "Code") == "rate_limited");
        Assert.Contains(_sink.Events, e => e.Level == LogEventLevel.Information && e.RenderMessage().Contains(alice.UserId, StringComparison.Ordinal) && e.RenderMessage().Contains("rate_limited", StringComparison.Ordinal) && e.Exception is null);
    }

    [Fact]
    public void The_logger_factory_hands_out_one_logger_per_category_and_it_still_writes()
    {
        var loggers = _factory.Services.GetRequiredService<ILoggerFactory>();

        var first = loggers.CreateLogger("Chat.Tests.Shared");
        first.LogInformation("shared logger {Marker}", "m-123");

        Assert.Same(first, loggers.CreateLogger("Chat.Tests.Shared"));
        Assert.NotSame(first, loggers.CreateLogger("Chat.Tests.Other"));
        var written = Assert.Single(_sink.Events, e => e.MessageTemplate.Text == "shared logger {Marker}");
        Assert.Equal("Chat.Tests.Shared", CapturingSink.SourceOf(written));
    }

    [Fact]
    public async Task Every_request_gets_exactly_one_access_log_line()
    {
        using var client = _factory.CreateClient();
        var marker = Guid.NewGuid().ToString("N");

        using var response = await client.GetAsync($"/health/live?probe={marker}");
        using var missing = await client.GetAsync($"/api/nothing-here-{marker}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_sink.Events, e => CapturingSink.Scalar(e, "RequestPath") == "/health/live" && e.RenderMessage().Contains("responded", StringComparison.Ordinal));
        Assert.Single(_sink.Events, e => CapturingSink.Scalar(e, "RequestPath") == $"/api/nothing-here-{marker}");
    }

    private async Task<List<HttpStatusCode>> RestClientErrorsAsync(string userId)
    {
        using var anonymous = _factory.CreateClient();
        using var wrongPassword = await anonymous.PostAsJsonAsync("/api/tokens", new { userId, password = "not the password" });
        using var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await _factory.TokenAsync(userId));
        using var badGroup = await client.PostAsJsonAsync("/api/groups", new { name = "" });
        using var noGroup = await client.GetAsync("/api/groups/0123456789abcdef0123456789abcdef");
        return [wrongPassword.StatusCode, badGroup.StatusCode, noGroup.StatusCode];
    }
}
