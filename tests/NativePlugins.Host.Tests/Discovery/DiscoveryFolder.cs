using NativePlugins.Hosting;

namespace NativePlugins.Host.Tests.Discovery;

/// <summary>A scratch folder of libraries to discover, with its own registry cache file, and hosts that use the
/// scanner of the native build (never NPLUG_PLUGIN_PATH, never the user's cache).</summary>
public sealed class DiscoveryFolder : IDisposable
{
    private readonly TempDirectory _root = new("nplug-discovery-tests");

    public DiscoveryFolder()
    {
        Directory.CreateDirectory(Libraries);
    }

    /// <summary>Where the libraries go.</summary>
    public string Libraries => _root.File("libs");

    public string CachePath => _root.File("cache/registry.bin");

    public static string Scanner => RepoLayout.Existing(Path.Combine(RepoLayout.BinDir, "nplug-scan"));

    public static string ScanFixture(string file) => RepoLayout.Existing(Path.Combine(RepoLayout.FixtureDir, "scan", file));

    /// <summary>Copies a library into the folder.</summary>
    public string Add(string source, string? name = null) => _root.Copy(source, Path.Combine("libs", name ?? Path.GetFileName(source)));

    public string File(string name) => Path.Combine(Libraries, name);

    public DiscoveryOptions Options(TimeSpan? timeout = null) => new()
    {
        ScannerPath = Scanner,
        CachePath = CachePath,
        ScanTimeout = timeout ?? TimeSpan.FromSeconds(10),
    };

    public PluginHost Host(DiscoveryOptions? options = null) => new(new PluginHostOptions
    {
        UseEnvironmentSearchPath = false,
        Discovery = options ?? Options(),
    });

    public PluginCatalog Discover(DiscoveryOptions? options = null)
    {
        using var host = Host(options);
        return host.Discover([Libraries]);
    }

    public void Dispose() => _root.Dispose();
}
