using Chat.Domain.Errors;
using Chat.Domain.Messaging;
using Chat.Domain.Workers;
using Chat.Hubs.Chat;
using Microsoft.Extensions.Options;

namespace Chat.Api.Messaging;

public static class MessagingExtensions
{
    public const string MailboxPoolSection = "WorkerPools:Mailbox";

    /// <summary>The delivery protocol: the mailbox worker pool, the mailbox service and the expiry sweeper.</summary>
    public static IHostApplicationBuilder AddChatMessaging(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<MessagingOptions>>().Value);
        services.AddOptions<WorkerPoolOptions>(MailboxPoolSection).BindConfiguration(MailboxPoolSection);

        services.AddSingleton<WorkerPoolMetrics>();
        services.AddSingleton<ChatMetrics>();
        services.AddSingleton<SignalREnvelopeNotifier>();
        services.AddSingleton<IEnvelopeNotifier>(sp => sp.GetRequiredService<SignalREnvelopeNotifier>());
        services.AddHostedService(sp => sp.GetRequiredService<SignalREnvelopeNotifier>());
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<WorkerPoolOptions>>().Get(MailboxPoolSection);
            options.Name = "mailbox";
            var store = sp.GetRequiredService<IMailboxStore>();
            var notifier = sp.GetRequiredService<IEnvelopeNotifier>();
            var errors = sp.GetRequiredService<IStoreErrorClassifier>();
            var pool = new KeyedWorkerPool<MailboxOperation, MailboxResult>(
                options,
                worker => new MailboxWorkerHandler(store, notifier, errors, SameWorker(options, worker)),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<WorkerPoolMetrics>());
            var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Chat.WorkerPools");
            pool.EventRaised += e => WorkerPoolLog.Write(log, e);
            return pool;
        });
        services.AddSingleton<MailboxService>();
        services.AddSingleton<ExpirySweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<ExpirySweeper>());
        return builder;
    }

    /// <summary>The keys <paramref name="worker"/> runs, when the pool pins keys to workers.</summary>
    private static Func<string, bool>? SameWorker(WorkerPoolOptions options, int worker) =>
        options.Mode == DispatchMode.Hash ? key => options.WorkerOf(key) == worker : null;

    /// <summary>Builds the mailbox pool now, so its metrics, the backlog view and bad pool settings show at start-up, not on the first message.</summary>
    public static WebApplication StartChatMessaging(this WebApplication app)
    {
        _ = app.Services.GetRequiredService<KeyedWorkerPool<MailboxOperation, MailboxResult>>();
        return app;
    }
}
