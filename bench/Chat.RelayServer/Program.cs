using Chat.RelayServer;
using Microsoft.AspNetCore.SignalR;

// The transport's own ceiling for bench/run.sh: the same wire contract as the chat server (REST endpoints, hub
// methods, envelopes, JSON and MessagePack) on the same SignalR stack, with nothing behind it: no storage, no
// durability, no real sign-in (the access token is the user id), no receipts. What the chat server does beyond
// this is what the difference between the two costs. Only the calls bench/Chat.LoadGen makes are more than stubs.
//
// The content root is the output folder, so the repository's appsettings.json (the real server's) is not read.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services
    .AddSignalR()
    .AddMessagePackProtocol(); // JSON is on by default: both protocols, as in the chat server
// Frames as large as the chat server accepts: its largest payload (64 KiB) in its worst JSON form, plus headroom.
builder.Services.Configure<HubOptions>(o => o.MaximumReceiveMessageSize = (65_536 * 6L) + (64 * 1024));
builder.Services.AddSingleton<RelayState>();

var app = builder.Build();
app.MapGet("/health/ready", () => "Healthy");
app.MapGet("/health/live", () => "Healthy");
app.MapPost("/api/accounts", (CredentialsRequest body) =>
    Results.Created($"/api/accounts/{body.UserId}", new AccountCreatedResponse(body.UserId)));
app.MapPost("/api/tokens", (CredentialsRequest body) =>
    Results.Ok(new TokenResponse(body.UserId, DateTimeOffset.UtcNow.AddHours(12))));
app.MapPost("/api/groups", (HttpContext http, CreateGroupRequest body, RelayState state) =>
{
    // Remembers the members only, so that a group send reaches them; the caller is the creator.
    var creator = RelayHub.TokenOf(http);
    if (creator.Length == 0)
    {
        return Results.Unauthorized();
    }

    var groupId = Guid.CreateVersion7().ToString("N");
    var members = new[] { creator }.Concat(body.Members ?? []).Distinct(StringComparer.Ordinal).ToArray();
    state.Groups[groupId] = members;
    var now = DateTimeOffset.UtcNow;
    return Results.Created(
        $"/api/groups/{groupId}",
        new GroupResponse(groupId, body.Name, creator, now, members.Select(m => new GroupMemberResponse(m, m == creator ? "admin" : "member", now)).ToList()));
});
app.MapHub<RelayHub>("/hubs/chat");
app.Run();
