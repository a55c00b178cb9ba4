namespace Chat.Api.Shutdown;

public static class ShutdownExtensions
{
    /// <summary>The graceful stop: close the gate, drain the pools, close the sessions (registered by AddChatRealtime).</summary>
    public static IHostApplicationBuilder AddChatShutdown(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<GracefulShutdown>();
        services.AddHostedService(sp => sp.GetRequiredService<GracefulShutdown>());
        return builder;
    }
}
