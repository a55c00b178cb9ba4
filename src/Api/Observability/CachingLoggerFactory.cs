using System.Collections.Concurrent;

namespace Chat.Api.Observability;

/// <summary>
/// Hands out one logger per category. Serilog's logger factory builds a new logger on every call, and SignalR asks
/// for loggers per connection, so each idle connection kept its own copies (about 1 KiB): with this, all
/// connections share the category's one logger.
/// </summary>
public sealed class CachingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, inner.CreateLogger);

    public void AddProvider(ILoggerProvider provider)
    {
        inner.AddProvider(provider);
        _loggers.Clear(); // loggers made before the provider was added would not write to it
    }

    public void Dispose() => inner.Dispose();

    /// <summary>Wraps the last <see cref="ILoggerFactory"/> registered in <paramref name="services"/>.</summary>
    public static void Decorate(IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(ILoggerFactory));
        services.Remove(registered);
        services.AddSingleton<ILoggerFactory>(sp => new CachingLoggerFactory(registered switch
        {
            { ImplementationInstance: ILoggerFactory instance } => instance,
            { ImplementationFactory: { } factory } => (ILoggerFactory)factory(sp),
            _ => (ILoggerFactory)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!),
        }));
    }
}
