using Chat.RelayServer;

// The transport's own ceiling for bench/run.sh: the same wire contract as the chat server (endpoints, hub methods,
// envelopes) on the same SignalR stack, but nothing behind it: no storage, no durability, no real sign-in, no
// receipts. Whatever the chat server does beyond this costs the difference.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR().AddMessagePackProtocol();
builder.Services.AddSingleton<RelaySequences>();

var app = builder.Build();
app.MapGet("/health/ready", () => "Healthy");
app.MapPost("/api/accounts", (Credentials body) => Results.Created($"/api/accounts/{body.UserId}", new { userId = body.UserId }));
app.MapPost("/api/tokens", (Credentials body) => new { accessToken = body.UserId, expiresAt = DateTimeOffset.UtcNow.AddHours(12) });
app.MapPost("/api/groups", () => Results.Created("/api/groups/relay", new { groupId = Guid.NewGuid().ToString("N") }));
app.MapHub<RelayHub>("/hubs/chat");
app.Run();

internal sealed record Credentials(string UserId, string Password);
