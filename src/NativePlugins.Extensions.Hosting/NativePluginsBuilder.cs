using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NativePlugins.Hosting;

namespace NativePlugins.Extensions.Hosting;

/// <summary>What <see cref="NativePluginsServiceCollectionExtensions.AddNativePlugins"/> returns: further settings of
/// the registered <see cref="PluginHost"/> and of what the hosted service loads at startup.</summary>
public sealed class NativePluginsBuilder
{
    internal NativePluginsBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection the plugins are registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds a configuration callback of the host's options.</summary>
    public NativePluginsBuilder Configure(Action<PluginHostOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }

    /// <summary>Adds a configuration callback of what is loaded at startup.</summary>
    public NativePluginsBuilder ConfigureStartup(Action<PluginStartupOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }

    /// <summary>Binds the host's options to a configuration section (<c>SearchPaths</c>, <c>Recursive</c>,
    /// <c>HostName</c>, ...) and the startup options to its <c>Startup</c> child (<c>Paths</c>,
    /// <c>LoadSearchPath</c>, <c>FailOnRefusal</c>). Lists in configuration add to the defaults, as the binder
    /// always does (<c>NeverUnloadSdkPrefixes</c> keeps its two defaults).</summary>
    public NativePluginsBuilder Bind(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        Services.Configure<PluginHostOptions>(section);
        Services.Configure<PluginStartupOptions>(section.GetSection(StartupSection));
        return this;
    }

    /// <summary><see cref="Bind"/> to the section at <paramref name="sectionPath"/> of the container's
    /// <see cref="IConfiguration"/> (by default <c>NativePlugins</c>).</summary>
    public NativePluginsBuilder BindConfiguration(string sectionPath = DefaultSection)
    {
        ArgumentException.ThrowIfNullOrEmpty(sectionPath);
        Services.AddOptions<PluginHostOptions>().BindConfiguration(sectionPath);
        Services.AddOptions<PluginStartupOptions>().BindConfiguration(ConfigurationPath.Combine(sectionPath, StartupSection));
        return this;
    }

    /// <summary>Loads these library files and directories (every library in them; recursion and symlinks as
    /// <see cref="PluginHostOptions"/> say) when the application starts, after any earlier ones. Relative paths are
    /// relative to the content root. A refused library is logged at Warning with its file and typed reason, and
    /// the others load (see <see cref="FailStartupOnRefusal"/>).</summary>
    public NativePluginsBuilder LoadAtStartup(params string[] pathsOrDirectories)
    {
        ArgumentNullException.ThrowIfNull(pathsOrDirectories);
        foreach (var p in pathsOrDirectories) ArgumentException.ThrowIfNullOrEmpty(p, nameof(pathsOrDirectories));
        return ConfigureStartup(o => o.Paths.AddRange(pathsOrDirectories));
    }

    /// <summary>Loads every library on the host's search path (<see cref="PluginHostOptions.SearchPaths"/>, then
    /// <c>NPLUG_PLUGIN_PATH</c>) when the application starts, before the paths of <see cref="LoadAtStartup"/>.</summary>
    public NativePluginsBuilder LoadSearchPathAtStartup() => ConfigureStartup(o => o.LoadSearchPath = true);

    /// <summary>Makes a refused library fail the application's start (<see cref="PluginStartupException"/>) instead
    /// of a warning.</summary>
    public NativePluginsBuilder FailStartupOnRefusal(bool fail = true) => ConfigureStartup(o => o.FailOnRefusal = fail);

    /// <summary>The configuration section <see cref="BindConfiguration"/> reads by default.</summary>
    public const string DefaultSection = "NativePlugins";

    /// <summary>The child section of the startup options.</summary>
    public const string StartupSection = "Startup";
}
