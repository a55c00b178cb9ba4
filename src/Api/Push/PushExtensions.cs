using System.Threading.Channels;
using Chat.Domain.Messaging;
using Chat.Domain.Push;
using Chat.Hubs.Chat;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Chat.Api.Push;

public static class PushExtensions
{
    /// <summary>
    /// The push hook, when Push:WebhookUrl is set: stored envelopes become wake-up candidates (the live-push notifier is
    /// wrapped), and a dispatcher posts wake-ups for offline devices to the gateway. Call after AddChatMessaging.
    /// </summary>
    public static IHostApplicationBuilder AddChatPush(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<PushOptions>().BindConfiguration(PushOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => !o.Enabled || Uri.TryCreate(o.WebhookUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https", "Push:WebhookUrl must be an absolute http(s) URL.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<PushOptions>>().Value);
        services.AddSingleton<PushMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(PushMetrics.MeterName));
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{PushOptions.SectionName}:{nameof(PushOptions.WebhookUrl)}"]))
        {
            return builder;
        }

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<PushOptions>();
            var metrics = sp.GetRequiredService<PushMetrics>();
            return Channel.CreateBounded<WakeUp>(
                new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false },
                _ => metrics.Shed());
        });
        services.AddHttpClient<IPushGateway, HttpPushGateway>(HttpPushGateway.ClientName)
            .ConfigureHttpClient((sp, http) => http.Timeout = sp.GetRequiredService<PushOptions>().Timeout);
        // The last registration wins: the mailbox pool now hands its envelopes to the wrapper.
        services.AddSingleton<IEnvelopeNotifier>(sp => new PushWakeUpNotifier(
            sp.GetRequiredService<SignalREnvelopeNotifier>(), sp.GetRequiredService<Channel<WakeUp>>(), sp.GetRequiredService<PushMetrics>()));
        services.AddHostedService<PushDispatcher>();
        return builder;
    }
}
