using System.Collections.Immutable;

namespace NativePlugins.Hosting;

/// <summary>Where discovery took what it knows about a library from.</summary>
public enum DiscoverySource
{
    /// <summary>The registry cache: the file is unchanged since it was scanned.</summary>
    Cache,

    /// <summary>The out-of-process scanner, in this discovery.</summary>
    Scan,

    /// <summary>The library's sidecar manifest (<c>nplug manifest</c>), whose SHA-256 matched the file.</summary>
    Manifest,
}

/// <summary>
/// A library found by <see cref="PluginHost.Discover()"/>: what it declares, learned without loading it into this
/// process. Its plugins are created with <see cref="PluginHost.CreateTransform"/> or <see cref="PluginHost.Create{T}"/>,
/// which load it on first use and check that it still declares exactly this (<see cref="PluginLoadError.DiscoveryMismatch"/>
/// otherwise). Immutable.
/// </summary>
public sealed class DiscoveredLibrary
{
    internal DiscoveredLibrary(string filePath, string foundIn, DiscoverySource source, string sdk, LibraryFlags flags,
        AbiVersion agreedAbi, AbiVersion libraryAbi, ulong layoutFingerprint, ImmutableArray<PluginInfo> plugins)
    {
        FilePath = filePath;
        FoundIn = foundIn;
        Source = source;
        Sdk = sdk;
        Flags = flags;
        AgreedAbi = agreedAbi;
        LibraryAbi = libraryAbi;
        LayoutFingerprint = layoutFingerprint;
        Plugins = plugins;
    }

    /// <summary>Full path of the library file.</summary>
    public string FilePath { get; }

    /// <summary>The file name.</summary>
    public string FileName => Path.GetFileName(FilePath);

    /// <summary>The search directory it was found under.</summary>
    public string FoundIn { get; }

    /// <summary>Cache, scan or manifest.</summary>
    public DiscoverySource Source { get; }

    /// <summary>The producing SDK and version (<c>np_library_t.sdk</c>); may be empty.</summary>
    public string Sdk { get; }

    /// <summary><c>np_library_t.flags</c> (ABI 1.2); <see cref="LibraryFlags.None"/> below.</summary>
    public LibraryFlags Flags { get; }

    /// <summary>The ABI version the scanner and the library agreed on, offering this host's minor.</summary>
    public AbiVersion AgreedAbi { get; }

    /// <summary>The newest ABI version the library was built for.</summary>
    public AbiVersion LibraryAbi { get; }

    /// <summary>The layout fingerprint the library reported for the agreed minor.</summary>
    public ulong LayoutFingerprint { get; }

    /// <summary>Its plugins, in descriptor order (<see cref="InterfaceDetail.Minor"/> is null: registered interfaces are
    /// validated when the library is loaded).</summary>
    public ImmutableArray<PluginInfo> Plugins { get; }
}

/// <summary>How a discovery was served: the proof that a warm cache runs nothing.</summary>
/// <param name="CacheHits">Libraries answered from the registry cache.</param>
/// <param name="ManifestsUsed">Libraries answered from their sidecar manifest.</param>
/// <param name="StaleManifests">Manifests ignored because they describe other bytes or cannot be read.</param>
/// <param name="Scanned">Libraries given to the out-of-process scanner.</param>
/// <param name="ScannerRuns">Scanner processes started (more than one when a library crashed, exited or hung).</param>
public readonly record struct DiscoveryStatistics(int CacheHits, int ManifestsUsed, int StaleManifests, int Scanned, int ScannerRuns);

/// <summary>What <see cref="PluginHost.Discover()"/> found. One bad file never stops it: a library that is refused,
/// crashes, exits or hangs while being scanned is in <see cref="Errors"/> with its typed reason, and every other one
/// is listed.</summary>
public sealed class PluginCatalog
{
    internal PluginCatalog(IReadOnlyList<string> directories, IReadOnlyList<DiscoveredLibrary> libraries,
        IReadOnlyList<PluginLoadException> errors, IReadOnlyList<SkippedPath> skipped, DiscoveryStatistics statistics,
        string? cacheWarning)
    {
        Directories = directories;
        Libraries = libraries;
        Errors = errors;
        Skipped = skipped;
        Statistics = statistics;
        CacheWarning = cacheWarning;
    }

    /// <summary>The directories that were searched, in order.</summary>
    public IReadOnlyList<string> Directories { get; }

    /// <summary>The good libraries, in file-name order per directory.</summary>
    public IReadOnlyList<DiscoveredLibrary> Libraries { get; }

    /// <summary>Every plugin of <see cref="Libraries"/>.</summary>
    public IEnumerable<PluginInfo> Plugins => Libraries.SelectMany(l => l.Plugins);

    /// <summary>Files refused, each with its typed reason (<see cref="PluginLoadError.ScanCrashed"/>,
    /// <see cref="PluginLoadError.ScanExited"/>, <see cref="PluginLoadError.ScanTimedOut"/> among them).</summary>
    public IReadOnlyList<PluginLoadException> Errors { get; }

    /// <summary>Paths deliberately not considered (symlinks by default).</summary>
    public IReadOnlyList<SkippedPath> Skipped { get; }

    /// <summary>Cache hits, manifests used, libraries scanned, scanner processes started.</summary>
    public DiscoveryStatistics Statistics { get; }

    /// <summary>Why the registry cache could not be written, or null. Not an error: the next discovery scans again.</summary>
    public string? CacheWarning { get; }

    /// <summary>True when at least one file was refused.</summary>
    public bool HasErrors => Errors.Count > 0;
}
