using Microsoft.Extensions.Logging;
using NativePlugins.Cli.Options;
using NativePlugins.Hosting;

namespace NativePlugins.Cli.Infrastructure;

/// <summary>Builds the <see cref="PluginHost"/> of a command: search path = --plugin-dir..., then NPLUG_PLUGIN_PATH,
/// then the plugins/ folder next to the executable (the last two unless --no-default-path).</summary>
public static class HostFactory
{
    /// <summary>The folder next to nplug where the build copies the bundled plugins.</summary>
    public static string BundledPluginDirectory => Path.Combine(AppContext.BaseDirectory, "plugins");

    /// <param name="discovery">How <see cref="PluginHost.Discover()"/> scans and caches (nplug list); null: the defaults.</param>
    /// <param name="hotReload">Load from shadow copies so that the host can reload libraries (<c>run --watch</c>).</param>
    public static PluginHost Create(CommonOptions options, TextWriter stderr, bool includeDefaults = true,
        DiscoveryOptions? discovery = null, bool hotReload = false)
    {
        var dirs = options.PluginDirs.ToList();
        var useDefaults = includeDefaults && !options.NoDefaultPath;
        // The bundled folder goes last, after NPLUG_PLUGIN_PATH: a user's plugin directory wins over the bundle
        // (first loaded wins on duplicate ids). The host orders explicit directories first, so the bundle is
        // appended after the environment entries here.
        // Like PATH: entries that do not exist are ignored, not errors. None in a set-uid/set-gid nplug.
        if (useDefaults) dirs.AddRange(PluginSearchPath.FromEnvironment().Where(Directory.Exists));
        if (useDefaults && Directory.Exists(BundledPluginDirectory)) dirs.Add(BundledPluginDirectory);

        var isolation = options as IIsolationOption;
        if (isolation is { MemoryLimit: not null, Isolate: false })
            throw new UsageException("--memory-limit limits worker processes: it needs --isolate");
        var hostOptions = new PluginHostOptions
        {
            SearchPaths = dirs,
            UseEnvironmentSearchPath = false, // added above, in the CLI's order
            Recursive = options.Recursive,
            FollowSymlinks = options.FollowSymlinks,
            LoadPolicy = LoadPolicy.Default with { TrustFile = options.TrustFile },
            LoggerFactory = new StderrLoggerProvider(stderr, StderrLoggerProvider.ParseLevel(options.LogLevel)),
            HostName = "nplug",
            Discovery = discovery ?? DiscoveryOptions.Default,
            HotReload = hotReload,
            Isolation = isolation is { Isolate: true } ? PluginIsolation.ProcessPerLibrary : PluginIsolation.InProcess,
            IsolationOptions = isolation?.MemoryLimit is { } limit
                ? IsolationOptions.Default with { ResidentMemoryLimitBytes = ByteSize.Parse(limit, "--memory-limit") }
                : IsolationOptions.Default,
        };
        try
        {
            return new PluginHost(hostOptions);
        }
        catch (ArgumentException e) when (options.TrustFile is not null && e.ParamName == "LoadPolicy")
        {
            throw new UsageException($"--trust-file: {e.Message}"); // the host reads the trust file when created
        }
    }
}
