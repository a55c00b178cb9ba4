using Chat.Api.Accounts;
using Chat.Api.Admin;
using Chat.Api.Auth;
using Chat.Api.Contacts;
using Chat.Api.Devices;
using Chat.Api.Groups;
using Chat.Api.Health;
using Chat.Api.Hosting;
using Chat.Api.Messaging;
using Chat.Api.Node;
using Chat.Api.Observability;
using Chat.Api.Push;
using Chat.Api.Realtime;
using Chat.Api.Shutdown;
using Chat.Api.Throttling;
using Chat.Api.Web;
using Chat.Hubs.Chat;
using Chat.Infrastructure.Storage;
using Serilog;

Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddChatHosting();
    builder.Services.AddChatStorage(builder.Configuration);
    builder.AddChatAuth();
    builder.AddChatThrottling();
    builder.AddChatDevices();
    builder.AddChatMessaging();
    builder.AddChatPush();
    builder.AddChatContacts();
    builder.AddChatGroups();
    builder.AddChatRealtime();
    builder.AddChatHealth();
    builder.AddChatNode();
    builder.AddChatShutdown();
    builder.AddChatObservability();
    builder.Services.AddOpenApi();

    var app = builder.Build();
    if (await app.RunMigrationsAsync(args))
    {
        return 0;
    }

    app.StartChatMessaging();
    app.UseChatHosting();
    app.UseChatWebClient();
    app.UseRouting();
    app.UseLoginGate();
    app.UseAuthentication();
    app.UseConnectAttemptLimit();
    app.UseAuthorization();
    app.UseRateLimiter();
    app.MapChatHealth();
    app.MapAccountsApi();
    app.MapContactsApi();
    app.MapDevicesApi();
    app.MapGroupsApi();
    app.MapAdminApi();
    app.MapChatMetrics();
    app.MapOpenApi();
    app.MapHub<ChatHub>(ChatHub.Path);
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is not HostAbortedException)
{
    Log.Fatal(e, "Server terminated unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
