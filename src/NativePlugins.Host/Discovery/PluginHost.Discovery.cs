using NativePlugins.Hosting.Discovery;

namespace NativePlugins.Hosting;

// Discovery without running plugin code (issue 15): Discover() lists plugins from the registry cache, sidecar
// manifests and the out-of-process scanner; a discovered library is loaded in-process only when one of its plugins is
// first created (GetLibrary), and checked against what discovery recorded.
public sealed partial class PluginHost
{
    private readonly Dictionary<string, DiscoveredLibrary> _discovered = new(StringComparer.Ordinal);
    private readonly Lock _firstUseLock = new();

    /// <summary>Lists the plugins of every library in <paramref name="directories"/> without loading any of them into
    /// this process: from the registry cache when a file is unchanged, from its sidecar manifest when the hash matches,
    /// else by the out-of-process scanner (<see cref="PluginHostOptions.Discovery"/>). A library that is refused, or
    /// crashes, calls <c>exit()</c> or hangs while being scanned is in <see cref="PluginCatalog.Errors"/> with its typed
    /// reason; every other one is listed. The plugins found can then be created by id (<see cref="CreateTransform"/>,
    /// <see cref="Create{T}"/>, <see cref="CreatePipeline"/>): the first creation loads the library. Thread-safe;
    /// a later discovery replaces what an earlier one recorded for the same ids.</summary>
    public PluginCatalog Discover(IEnumerable<string> directories) =>
        DiscoverCore(directories.Select(d => (d, true)));

    /// <summary><see cref="Discover(IEnumerable{string})"/> over the search path (<see cref="SearchPath"/>).</summary>
    public PluginCatalog Discover() =>
        DiscoverCore(PluginDiscovery.SearchPath(Options.SearchPaths, Options.UseEnvironmentSearchPath));

    /// <summary>The plugins the last discoveries recorded that are not loaded yet (a snapshot).</summary>
    public IReadOnlyList<PluginInfo> DiscoveredPlugins
    {
        get
        {
            lock (_lock)
                return _discovered.Where(d => !_byId.ContainsKey(d.Key))
                    .Select(d => d.Value.Plugins.First(p => p.Id == d.Key)).ToArray();
        }
    }

    private PluginCatalog DiscoverCore(IEnumerable<(string Directory, bool Explicit)> dirs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var list = dirs.Select(d => (Path.TrimEndingDirectorySeparator(Path.GetFullPath(d.Directory)), d.Explicit)).ToList();
        var catalog = CatalogDiscovery.Run(list, Options, AbiVersion, _gate);
        lock (_lock)
            foreach (var library in catalog.Libraries)
                foreach (var p in library.Plugins)
                    _discovered[p.Id] = library;
        return catalog;
    }

    /// <summary>First use of a discovered plugin: load its library (the full in-process checks) and hold it to what
    /// discovery recorded. Null when no discovery recorded the id.</summary>
    private PluginLibrary? LoadDiscovered(string pluginId)
    {
        lock (_firstUseLock) // two threads creating the same plugin first load it once
        {
            DiscoveredLibrary? promised;
            lock (_lock)
            {
                if (_byId.TryGetValue(pluginId, out var already)) return already;
                if (!_discovered.TryGetValue(pluginId, out promised)) return null;
            }
            var loaded = LoadFound(promised.FilePath, promised.FoundIn);
            if (DiscoveryPromise.FirstDifference(promised, loaded) is { } difference)
            {
                loaded.Dispose();
                lock (_lock)
                    foreach (var p in promised.Plugins)
                        if (_discovered.TryGetValue(p.Id, out var d) && ReferenceEquals(d, promised)) _discovered.Remove(p.Id);
                throw new PluginLoadException(PluginLoadError.DiscoveryMismatch, promised.FilePath, pluginId,
                    $"{difference} (recorded from the {promised.Source.ToString().ToLowerInvariant()}" +
                    (promised.Source == DiscoverySource.Manifest ? $" {SidecarManifest.PathFor(promised.FileName)}" : "") +
                    "); the library was unloaded again");
            }
            return loaded;
        }
    }

    /// <summary>Writes the sidecar manifest of a library (<c>&lt;library&gt;.nplug.json</c>,
    /// <see cref="DiscoveryOptions.ManifestSuffix"/>) from an out-of-process scan, with the file's SHA-256: what
    /// <c>nplug manifest</c> does at build time. Discovery then lists the library from it without running it.
    /// Returns the manifest's path.</summary>
    /// <exception cref="PluginLoadException">The library was refused, or crashed, exited or hung in the scanner: no
    /// manifest is written.</exception>
    public string WriteManifest(string libraryPath)
    {
        ArgumentNullException.ThrowIfNull(libraryPath);
        var file = Path.GetFullPath(libraryPath);
        _gate.Check(file, null);
        var scanner = ScannerLocator.Find(Options.Discovery, out var searched) ??
            throw new PluginLoadException(PluginLoadError.ScanFailed, file, null,
                $"the scanner {ScannerLocator.FileName} was not found (looked at {searched})");
        var record = new OutOfProcessScanner(scanner, AbiVersion.Minor, Options.Discovery.ScanTimeout).Scan([file])[0];
        if (record.Reason is { } reason) throw new PluginLoadException(reason, file, null, record.Detail);
        var sha = SidecarManifest.Sha256(file) ??
            throw new PluginLoadException(PluginLoadError.FileNotFound, file, null, "the file cannot be read");
        SidecarManifest.Write(file, record, sha, new FileInfo(file).Length);
        return SidecarManifest.PathFor(file);
    }
}
