namespace NativePlugins.Hosting;

/// <summary>
/// How <see cref="PluginHost.Discover()"/> lists plugins without loading them: an out-of-process scanner
/// (<c>nplug-scan</c>), a registry cache of its results, and sidecar manifests written at build time
/// (<c>nplug manifest</c>). Immutable; shared by every host given it.
/// </summary>
public sealed record DiscoveryOptions
{
    /// <summary>The defaults: cache under <c>$XDG_CACHE_HOME/nativeplugins/</c>, manifests honoured, 10 s per library.</summary>
    public static DiscoveryOptions Default { get; } = new();

    /// <summary>The registry cache file. Null: <see cref="DefaultCachePath"/>. The file is versioned binary, replaced
    /// atomically (temporary file and rename), and a corrupt or foreign file is ignored and rebuilt.</summary>
    public string? CachePath { get; init; }

    /// <summary>Read and write the registry cache. Default true; false scans every library on every discovery.</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Also compare the SHA-256 of a file's content with the one the cache recorded, not only its size,
    /// modification time, change time and inode (a file rewritten in place with the same size within the file
    /// system's timestamp resolution). Costs a full read of every library. Default false.</summary>
    public bool VerifyContentHash { get; init; }

    /// <summary>Use a sidecar manifest (<c>&lt;library&gt;.nplug.json</c>, <see cref="ManifestSuffix"/>) instead of
    /// scanning when its SHA-256 matches the library's. What it promises is checked when the library is loaded.
    /// Default true.</summary>
    public bool UseManifests { get; init; } = true;

    /// <summary>The scanner executable. Null: the <c>NPLUG_SCANNER</c> environment variable, else <c>nplug-scan</c>
    /// next to the NativePlugins.Host assembly, in its <c>runtimes/&lt;rid&gt;/native/</c> folder, or in the
    /// application's base directory.</summary>
    public string? ScannerPath { get; init; }

    /// <summary>How long loading one library in the scanner may take before it is killed and the library recorded as
    /// <see cref="PluginLoadError.ScanTimedOut"/>. Default 10 s.</summary>
    public TimeSpan ScanTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The suffix of a sidecar manifest: <c>libfoo.so</c> -> <c>libfoo.so.nplug.json</c>.</summary>
    public const string ManifestSuffix = ".nplug.json";

    /// <summary>The environment variable naming the scanner executable (see <see cref="ScannerPath"/>).</summary>
    public const string ScannerEnvironmentVariable = "NPLUG_SCANNER";

    /// <summary><c>$XDG_CACHE_HOME/nativeplugins/registry-v2.bin</c> (<c>~/.cache</c> when XDG_CACHE_HOME is unset or
    /// relative, as the XDG base directory specification says). A <c>registry-v1.json</c> beside it (the JSON cache of
    /// earlier versions) is read once, when there is no v2 file yet, and deleted once the v2 file is written.</summary>
    public static string DefaultCachePath => Path.Combine(CacheDirectory, "registry-v2.bin");

    /// <summary>The default cache file of format 1 (JSON), migrated by the first discovery that finds it.</summary>
    internal static string LegacyDefaultCachePath => Path.Combine(CacheDirectory, "registry-v1.json");

    private static string CacheDirectory
    {
        get
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "nativeplugins");
        }
    }
}
