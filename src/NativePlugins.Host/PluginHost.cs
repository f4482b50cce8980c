using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using NativePlugins.Hosting.Diagnostics;
using NativePlugins.Hosting.Discovery;
using NativePlugins.Hosting.Interfaces;
using NativePlugins.Hosting.Isolation;
using NativePlugins.Hosting.Loading;
using NativePlugins.Hosting.Services;
using NativePlugins.Hosting.Transforms;
using NativePlugins.Interop;
using FileStamp = NativePlugins.Hosting.Discovery.FileStamp;

namespace NativePlugins.Hosting;

/// <summary>
/// The registry of loaded plugin libraries: loads and validates libraries (rule H3), keeps plugin ids unique across
/// them, hands every library and instance its own host service table, and creates instances and pipelines.
/// Thread-safe. Disposing it releases every library (each one deinitializes once its last instance is gone).
/// </summary>
public sealed unsafe partial class PluginHost : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<PluginLibrary> _libraries = [];
    private readonly Dictionary<string, PluginLibrary> _byId = new(StringComparer.Ordinal);
    private readonly HostServices _services;
    private readonly ILogger _logger;
    private readonly LoadGate _gate;
    private bool _disposed;

    /// <summary>Creates a host. Nothing is loaded until <see cref="Load(string)"/> or a directory scan.</summary>
    public PluginHost(PluginHostOptions? options = null)
    {
        Options = (options ?? new PluginHostOptions()).Freeze();
        if (Options.AbiMinor > NpAbi.NP_ABI_MINOR)
            throw new ArgumentOutOfRangeException(nameof(options),
                $"AbiMinor {Options.AbiMinor} is newer than the header this host was built with ({NpAbi.NP_ABI_MINOR})");
        AbiVersion = new AbiVersion(NpAbi.NP_ABI_MAJOR, Options.AbiMinor);
        Interfaces = new InterfaceRegistry(Options.Interfaces);
        _gate = new LoadGate(Options.LoadPolicy); // parses the trust file: a bad one fails here, not at every load
        _services = new HostServices(Options.LoggerFactory, Options.HostName, Options.HostExtensions);
        _logger = _services.LoggerFactory.CreateLogger("NativePlugins.Host");
        Metrics = HostMetrics.For(Options.MeterFactory);
        if (Options.UseEnvironmentSearchPath && PluginSearchPath.EnvironmentIgnored)
            _logger.LogWarning("{Variable} is ignored: the process is set-uid, set-gid or has file capabilities",
                PluginHostOptions.PluginPathEnvironmentVariable);
    }

    /// <summary>The options the host was created with: a frozen copy (<see cref="PluginHostOptions.IsFrozen"/>).</summary>
    public PluginHostOptions Options { get; }

    /// <summary>The ABI version the host offers at negotiation.</summary>
    public AbiVersion AbiVersion { get; }

    /// <summary>Host-allocator counters over every library and instance of this host.</summary>
    public AllocationCounters Allocations => _services.Counters;

    /// <summary>The loaded libraries, in load order (a snapshot).</summary>
    public IReadOnlyList<PluginLibrary> Libraries
    {
        get { lock (_lock) return _libraries.ToArray(); }
    }

    /// <summary>Every plugin of every loaded library (a snapshot).</summary>
    public IReadOnlyList<PluginInfo> Plugins
    {
        get { lock (_lock) return _libraries.SelectMany(l => l.Plugins).ToArray(); }
    }

    /// <summary>The directories <see cref="LoadFromSearchPath"/> scans: <see cref="PluginHostOptions.SearchPaths"/>,
    /// then <c>NPLUG_PLUGIN_PATH</c>.</summary>
    public IReadOnlyList<string> SearchPath =>
        PluginDiscovery.SearchPath(Options.SearchPaths, Options.UseEnvironmentSearchPath).Select(d => d.Directory).ToArray();

    /// <summary>Loads, validates and initializes one library file.</summary>
    /// <exception cref="PluginLoadException">The file was refused; <see cref="PluginLoadException.Reason"/> says why.
    /// Nothing else loaded in the host is affected.</exception>
    public PluginLibrary Load(string path) => LoadFound(path, directory: null);

    /// <summary>Like <see cref="Load(string)"/>, with this library's code in <paramref name="isolation"/> instead
    /// of <see cref="PluginHostOptions.Isolation"/>.</summary>
    public PluginLibrary Load(string path, PluginIsolation isolation) => LoadFound(path, directory: null, isolation);

    /// <summary><paramref name="directory"/>: the scanned directory the file was found in (the load policy's
    /// symlink rule), null for the file's own.</summary>
    private PluginLibrary LoadFound(string path, string? directory, PluginIsolation? isolation = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var activity = HostActivities.StartLoad(path);
        try
        {
            var mode = isolation ?? Options.Isolation;
            var library = mode == PluginIsolation.InProcess ? LoadCore(path, directory) : LoadIsolated(path, directory, mode);
            if (activity is not null) HostActivities.Loaded(activity, library);
            return library;
        }
        catch (Exception e) when (activity is not null)
        {
            if (e is PluginLoadException refused) HostActivities.Refused(activity, refused);
            else HostActivities.Failed(activity, e.GetType().FullName ?? e.GetType().Name, e.Message);
            throw;
        }
    }

    private PluginLibrary LoadCore(string path, string? directory)
    {
        // Under PluginHostOptions.HotReload the file is loaded from a shadow copy (Reload/PluginHost.Reload.cs).
        var opened = Options.HotReload ? OpenShadowed(path, directory)
            : LibraryLoader.Open(path, AbiVersion, CanUnload, Interfaces, _gate, directory);
        try
        {
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                foreach (var p in opened.Plugins)
                    if (_byId.TryGetValue(p.Info.Id, out var other))
                        throw new PluginLoadException(PluginLoadError.DuplicateId, opened.FilePath, p.Info.Id,
                            $"a plugin with this id is already loaded from {other.FilePath}");

                var counters = new AllocationCounters(_services.Counters);
                Initialize(opened, counters);
                var library = new PluginLibrary(this, opened, counters);
                _libraries.Add(library);
                foreach (var p in library.Plugins) _byId.Add(p.Id, library);
                // Guarded: the call boxes its arguments and looks up the template even when Debug is off.
                if (_logger.IsEnabled(LogLevel.Debug))
                    _logger.LogDebug("loaded {File}: ABI {Agreed} (library {LibraryAbi}), {Count} plugin(s)",
                        library.FilePath, library.AgreedAbi, library.LibraryAbi, library.Plugins.Length);
                return library;
            }
        }
        catch
        {
            opened.Handle.Dispose();
            throw;
        }
    }

    /// <summary>Loads a library in worker processes: the load policy and the file checks run here, before any
    /// process starts; dlopen, negotiation, validation and init run in the worker (np_c_host).</summary>
    private PluginLibrary LoadIsolated(string path, string? directory, PluginIsolation mode)
    {
        var file = Path.GetFullPath(path);
        var isolated = OpenIsolated(file, directory, mode);
        try
        {
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                foreach (var p in isolated.Info.Plugins)
                    if (_byId.TryGetValue(p.Id, out var other))
                        throw new PluginLoadException(PluginLoadError.DuplicateId, file, p.Id,
                            $"a plugin with this id is already loaded from {other.FilePath}");
                var library = new PluginLibrary(this, isolated, new AllocationCounters(_services.Counters));
                _libraries.Add(library);
                foreach (var p in library.Plugins) _byId.Add(p.Id, library);
                if (_logger.IsEnabled(LogLevel.Debug))
                    _logger.LogDebug("loaded {File} in a worker process ({Mode}): ABI {Agreed}, {Count} plugin(s)",
                        library.FilePath, mode, library.AgreedAbi, library.Plugins.Length);
                return library;
            }
        }
        catch
        {
            isolated.Release();
            throw;
        }
    }

    /// <summary>The load policy and file checks here, then a worker loads the library: under
    /// <see cref="PluginHostOptions.HotReload"/> from a shadow copy, as in process, so that a rewrite of the watched
    /// file never changes the code under a running worker.</summary>
    private IsolatedLibrary OpenIsolated(string file, string? directory, PluginIsolation mode)
    {
        _gate.Check(file, directory);
        FileStamp? stamp = null;
        string? copy = null;
        if (Options.HotReload)
        {
            stamp = FileStamp.Of(file);
            copy = TakeShadowCopy(file, directory);
        }
        var library = IsolatedLibrary.Load(file, mode, Options.IsolationOptions, Options.AbiMinor, _services.LoggerFactory, copy, stamp);
        try
        {
            // The checks in-process validation makes of a registered interface, from what the worker reported.
            library.Info.CheckRegisteredInterfaces(Interfaces, file);
        }
        catch
        {
            library.Release();
            throw;
        }
        return library;
    }

    /// <summary>Where isolated instances log their restarts.</summary>
    internal ILogger IsolationLogger => _logger;

    /// <summary>Like <see cref="Load(string)"/>, reporting a refusal as a result instead of an exception.</summary>
    public bool TryLoad(string path, [NotNullWhen(true)] out PluginLibrary? library,
        [NotNullWhen(false)] out PluginLoadException? error) => TryLoadFound(path, null, out library, out error);

    private bool TryLoadFound(string path, string? directory, [NotNullWhen(true)] out PluginLibrary? library,
        [NotNullWhen(false)] out PluginLoadException? error)
    {
        try
        {
            library = LoadFound(path, directory);
            error = null;
            return true;
        }
        catch (PluginLoadException e)
        {
            library = null;
            error = e;
            return false;
        }
    }

    /// <summary>Loads every library in the given directories (options decide recursion and symlinks). A bad file
    /// is reported in <see cref="DiscoveryResult.Errors"/> and skipped.</summary>
    public DiscoveryResult LoadDirectories(IEnumerable<string> directories) =>
        Discover(directories.Select(d => (d, true)));

    /// <summary>Loads every library on the search path (<see cref="SearchPath"/>).</summary>
    public DiscoveryResult LoadFromSearchPath() =>
        Discover(PluginDiscovery.SearchPath(Options.SearchPaths, Options.UseEnvironmentSearchPath));

    private DiscoveryResult Discover(IEnumerable<(string Directory, bool Explicit)> dirs)
    {
        var list = dirs.Select(d => (Path.TrimEndingDirectorySeparator(Path.GetFullPath(d.Directory)), d.Explicit)).ToList();
        var scan = PluginDiscovery.Find(list, Options.Recursive, Options.FollowSymlinks);
        var loaded = new List<PluginLibrary>();
        HashSet<string> already = new(StringComparer.Ordinal);
        lock (_lock)
            foreach (var l in _libraries) already.Add(l.FilePath);
        var identical = new IdenticalFiles(already);
        using var batch = LoadGate.BeginBatch(); // each directory's mode is stat'ed once for the whole scan
        foreach (var file in scan.Files)
        {
            if (already.Contains(file))
            {
                scan.Skipped.Add(new SkippedPath(file, "already loaded"));
                continue;
            }
            // A byte-identical copy of a loaded library (a build folder and the copy next to an executable, say)
            // would only be refused for its duplicate ids: skip it quietly instead.
            if (identical.Find(file) is { } original)
            {
                scan.Skipped.Add(new SkippedPath(file, $"identical to {original}, already loaded"));
                continue;
            }
            if (TryLoadFound(file, scan.FoundIn[file], out var library, out var error))
            {
                loaded.Add(library);
                identical.Add(file);
            }
            else
            {
                scan.Errors.Add(error);
                // Returned to the caller in the result; only traced here.
                if (_logger.IsEnabled(LogLevel.Debug)) _logger.LogDebug("{Error}", error.Message);
            }
        }
        return new DiscoveryResult(list.Select(d => d.Item1).ToArray(), loaded, scan.Errors, scan.Skipped);
    }

    /// <summary>Finds a loaded plugin by id.</summary>
    public bool TryGetPlugin(string id, [NotNullWhen(true)] out PluginInfo? plugin)
    {
        lock (_lock)
        {
            plugin = _byId.TryGetValue(id, out var lib) ? lib.Plugins.First(p => p.Id == id) : null;
            return plugin is not null;
        }
    }

    /// <summary>The library a loaded plugin comes from; a plugin that <see cref="Discover()"/> found but is not loaded
    /// yet has its library loaded now (and checked against what discovery recorded).</summary>
    /// <exception cref="PluginNotFoundException">No loaded or discovered plugin has this id.</exception>
    /// <exception cref="PluginLoadException">The discovered library was refused at load, or declares something else
    /// than discovery recorded (<see cref="PluginLoadError.DiscoveryMismatch"/>).</exception>
    public PluginLibrary GetLibrary(string pluginId)
    {
        lock (_lock)
            if (_byId.TryGetValue(pluginId, out var lib)) return lib;
        return LoadDiscovered(pluginId) ?? throw NotFound(pluginId);
    }

    /// <summary>Creates an <c>np.transform/1</c> instance of a loaded plugin.</summary>
    /// <exception cref="PluginNotFoundException">No loaded plugin has this id.</exception>
    /// <exception cref="PluginCallException">The plugin's <c>create</c> failed (e.g. NP_ERR_CONFIG).</exception>
    public TransformInstance CreateTransform(string pluginId, string config = "") =>
        GetLibrary(pluginId).CreateTransform(pluginId, config);

    /// <summary>Creates an instance of a loaded plugin through the registered interface of the typed wrapper
    /// <typeparamref name="T"/> (see <see cref="PluginLibrary.Create{T}"/>).</summary>
    /// <exception cref="PluginNotFoundException">No loaded plugin has this id.</exception>
    /// <exception cref="InvalidOperationException">The interface is not registered, or has no instances.</exception>
    /// <exception cref="NotSupportedException">The plugin does not implement the interface.</exception>
    /// <exception cref="PluginCallException">The plugin's <c>@create</c> failed.</exception>
    public T Create<T>(string pluginId, string config = "") where T : NativeInstance, INativeInstance<T> =>
        GetLibrary(pluginId).Create<T>(pluginId, config);

    /// <summary>Creates one instance per stage and chains them into a pipeline. On failure, the instances created
    /// so far are destroyed.</summary>
    /// <param name="stages">The stages, in order.</param>
    /// <param name="measureTime">Measure each stage's wall time (see <see cref="Pipeline(IEnumerable{TransformInstance}, bool, int, int, bool)"/>).</param>
    public Pipeline CreatePipeline(IEnumerable<PipelineStage> stages, bool measureTime = false)
    {
        var instances = new List<TransformInstance>();
        try
        {
            foreach (var s in stages) instances.Add(CreateTransform(s.PluginId, s.Config));
            return new Pipeline(instances, ownsStages: true, measureTime: measureTime);
        }
        catch
        {
            foreach (var i in instances) i.Dispose();
            throw;
        }
    }

    /// <summary>Releases every library (each deinitializes once its last instance is disposed). Idempotent.</summary>
    public void Dispose()
    {
        PluginLibrary[] libs;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            libs = _libraries.ToArray();
        }
        foreach (var l in libs) l.Dispose();
    }

    /// <summary>Removes a library from the registry (its ids become free).</summary>
    internal void Forget(PluginLibrary library)
    {
        lock (_lock)
        {
            if (!_libraries.Remove(library)) return;
            foreach (var p in library.Plugins)
                if (_byId.TryGetValue(p.Id, out var l) && ReferenceEquals(l, library)) _byId.Remove(p.Id);
        }
    }

    internal HostServices Services => _services;

    /// <summary>The counters every instance of this host records to.</summary>
    internal HostMetrics Metrics { get; }

    /// <summary>The registered interfaces (<see cref="PluginHostOptions.Interfaces"/>), by id.</summary>
    internal InterfaceRegistry Interfaces { get; }

    private void Initialize(OpenedLibrary opened, AllocationCounters counters)
    {
        var name = Path.GetFileName(opened.FilePath);
        var logger = _services.LoggerFactory.CreateLogger(name);
        var table = new HostTable(new HostTableContext(_services, logger, counters, $"library '{name}'"), opened.Agreed.Minor);
        byte* buffer = stackalloc byte[PluginErrorText.BufferBytes];
        np_error_t error; // field by field (rule H8, NpScalarInit)
        PluginErrorText.Init(&error, buffer);
        int status;
        var init = opened.Library.init;
        lock (HostSerialization.Lock) status = init(table.Pointer, &error);
        if (PluginErrorText.Violation(status, error, buffer, out _) is { } broken)
        {
            // Refused even when init succeeded (then deinit is owed, and called): its memory is suspect.
            if (status == NpAbi.NP_OK)
                lock (HostSerialization.Lock) opened.Library.deinit();
            table.Dispose();
            throw new PluginLoadException(PluginLoadError.ProtocolViolation, opened.FilePath,
                opened.Plugins.Length == 1 ? opened.Plugins[0].Info.Id : null,
                $"init {PluginErrorText.Describe(broken, status, error, buffer)}");
        }
        if (status != NpAbi.NP_OK)
        {
            // init failed: deinit is not owed. The table may still be referenced by a misbehaving library, but
            // the spec makes it valid only until deinit, which will never come; freeing it is correct.
            table.Dispose();
            throw new PluginLoadException(PluginLoadError.InitFailed, opened.FilePath,
                opened.Plugins.Length == 1 ? opened.Plugins[0].Info.Id : null,
                $"init returned {NpStatus.Name(status)} ({status}): {PluginErrorText.Read(error, buffer)}");
        }
        opened.Handle.Table = table;
        opened.Handle.Logger = _logger;
        opened.Handle.Counters = counters;
        opened.Handle.Deinit = opened.Library.deinit;
    }

    /// <summary>Rule H6: a library flagged NP_LIBRARY_NO_UNLOAD is never unloaded; the flag is read from ABI 1.2 on
    /// (<paramref name="flags"/> is null for a 1.0/1.1 library), and only for such a library is it inferred from the
    /// sdk string (<see cref="PluginHostOptions.NeverUnloadSdkPrefixes"/>).</summary>
    private bool CanUnload(string sdk, ulong? flags)
    {
        if (!Options.UnloadLibraries) return false;
        if (flags is { } known) return (known & NpAbi.NP_LIBRARY_NO_UNLOAD) == 0;
        var prefixes = Options.NeverUnloadSdkPrefixes;
        for (int i = 0; i < prefixes.Count; i++)
            if (sdk.StartsWith(prefixes[i], StringComparison.Ordinal)) return false;
        return true;
    }

    private static PluginNotFoundException NotFound(string id) => new(id, $"no loaded plugin has the id '{id}'");
}
