using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NativePlugins.Extensions.Hosting;
using NativePlugins.Hosting;

// In the container's namespace, as Microsoft.Extensions' own AddXxx methods are: found wherever services are added.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers NativePlugins in a service collection.</summary>
public static class NativePluginsServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="PluginHost"/> singleton, created on first use from <see cref="IOptions{PluginHostOptions}"/>
    /// (<paramref name="configure"/>, any <c>Configure&lt;PluginHostOptions&gt;</c> and configuration binding) and
    /// disposed with the container, which unloads every library. Unless the options name them, the host logs to the
    /// container's <c>ILoggerFactory</c>, measures to its <c>IMeterFactory</c>, and relative
    /// <see cref="PluginHostOptions.SearchPaths"/> are resolved against the content root (<see cref="IHostEnvironment"/>).
    /// Also registers the hosted service that loads what <see cref="NativePluginsBuilder.LoadAtStartup"/> and
    /// <see cref="NativePluginsBuilder.LoadSearchPathAtStartup"/> name; with nothing named it loads nothing.
    /// Calling it again adds <paramref name="configure"/> and registers nothing twice.
    /// </summary>
    /// <returns>A builder for the startup loading and configuration binding.</returns>
    public static NativePluginsBuilder AddNativePlugins(this IServiceCollection services,
        Action<PluginHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IPostConfigureOptions<PluginHostOptions>, PluginHostOptionsSetup>());
        services.TryAddSingleton(sp => new PluginHost(sp.GetRequiredService<IOptions<PluginHostOptions>>().Value));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PluginStartupService>());
        if (configure is not null) services.Configure(configure);
        return new NativePluginsBuilder(services);
    }
}
