using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using NativePlugins.Hosting.Isolation;
using NativePlugins.Hosting.Loading;
using NativePlugins.Hosting.Reload;
using NativePlugins.Hosting.Services;
using FileStamp = NativePlugins.Hosting.Discovery.FileStamp;

namespace NativePlugins.Hosting;

// Hot reload (PluginHostOptions.HotReload): a library whose file changed is loaded again from a new shadow copy,
// validated and initialized exactly like a first load, and then takes the old version's place in the registry in
// one step under the registry lock. The old version is disposed: it makes no new instance, its existing instances
// keep running on it until they are disposed (a pipeline that owns its stages moves them to the new version at its
// next batch boundary, see Pipeline.Succession.cs), and it deinitializes and unloads after the last of them.
public sealed unsafe partial class PluginHost
{
    private readonly Lock _reloadLock = new(); // one reload at a time: they read and replace the same entries
    private readonly ConditionalWeakTable<PluginLibrary, PluginLibrary> _successors = new();
    private readonly List<PluginLibrary> _retired = []; // under _lock
    private int _reloadGeneration;

    /// <summary>Raised after a library was replaced by its new version (on the thread that reloaded it: the
    /// watcher's, or the caller of <see cref="Reload"/>). A handler that throws is logged and ignored.</summary>
    public event EventHandler<PluginReloadedEventArgs>? Reloaded;

    /// <summary>Raised when a new version was refused or its <c>init</c> failed; the old version keeps running
    /// (cr.h's rollback). Without a handler the failure is logged at Warning instead. A handler that throws is logged
    /// and ignored.</summary>
    public event EventHandler<PluginReloadFailedEventArgs>? ReloadFailed;

    /// <summary>Old versions replaced by a reload, oldest first, while any is still mapped: draining (instances of it
    /// are alive), or kept mapped for good because it cannot be unloaded (<see cref="PluginLibrary.CanUnload"/>
    /// false: a .NET runtime lives in it). Versions that unloaded are dropped from the list.</summary>
    public IReadOnlyList<RetiredLibrary> RetiredLibraries
    {
        get
        {
            lock (_lock)
            {
                _retired.RemoveAll(l => l.Released && l.CanUnload);
                return _retired.Select(l => new RetiredLibrary(l.FilePath, l.LoadedFrom, l.Plugins, !l.CanUnload,
                    l.Released)).ToArray();
            }
        }
    }

    /// <summary>Starts watching the files of every library loaded now or later, polling their size, times and inode
    /// every half <paramref name="debounce"/>; a file that changed is reloaded once it has stayed unchanged for
    /// <paramref name="debounce"/> (default 250 ms: a build writes a library in several steps). Events are raised
    /// on the watcher's own thread. Dispose the watcher to stop; disposing the host stops it too.</summary>
    /// <exception cref="InvalidOperationException"><see cref="PluginHostOptions.HotReload"/> is off: libraries are
    /// mapped from their own files, which a rebuild in place would corrupt under the running code.</exception>
    public IDisposable Watch(TimeSpan? debounce = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireHotReload();
        var d = debounce ?? TimeSpan.FromMilliseconds(250);
        if (d <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(debounce), "the debounce must be positive");
        return new ReloadWatcher(this, d, _logger);
    }

    /// <summary>Reloads <paramref name="library"/> from its file now, whether it changed or not: a new shadow copy
    /// is loaded, checked (load policy, file probe, negotiation, layout, descriptors, ids unique against the other
    /// libraries) and initialized, then replaces the old version. Raises <see cref="Reloaded"/>; on failure raises
    /// <see cref="ReloadFailed"/>, leaves the old version running and throws.</summary>
    /// <returns>The new version (also what <see cref="GetLibrary"/> now returns for its ids).</returns>
    /// <exception cref="PluginLoadException">The new version was refused; the old one is untouched.</exception>
    /// <exception cref="InvalidOperationException">Hot reload is off, or <paramref name="library"/> is not a
    /// current library of this host (disposed, or already replaced).</exception>
    public PluginLibrary Reload(PluginLibrary library)
    {
        ArgumentNullException.ThrowIfNull(library);
        var outcome = TryReload(library, expected: null, out var successor, out var error);
        return outcome switch
        {
            ReloadOutcome.Reloaded => successor!,
            _ => throw error!,
        };
    }

    internal enum ReloadOutcome { Reloaded, Failed, Unsettled }

    /// <summary>One reload attempt. <paramref name="expected"/>: the stamp the watcher saw settle; when the file no
    /// longer has it after the copy was taken (a writer started again), the attempt is <c>Unsettled</c>: nothing is
    /// raised and the watcher tries again later.</summary>
    internal ReloadOutcome TryReload(PluginLibrary library, FileStamp? expected, out PluginLibrary? successor,
        out PluginLoadException? error)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireHotReload();
        successor = null;
        error = null;
        lock (_reloadLock)
        {
            lock (_lock)
                if (!_libraries.Contains(library))
                    throw new InvalidOperationException(
                        $"{library.FilePath}: this library is not loaded in the host any more (disposed, or replaced by a reload)");
            var before = FileStamp.Of(library.FilePath);
            if (expected is { } e && before != e) return ReloadOutcome.Unsettled;
            try
            {
                if (library.Isolated is { } isolated)
                {
                    // In worker processes again, in the same mode: a reload never moves a library into the host.
                    var next = OpenIsolated(library.FilePath, directory: null, isolated.Mode);
                    if (FileStamp.Of(library.FilePath) != before)
                    {
                        next.Release(); // ends its worker, deletes its copy
                        if (expected is not null) return ReloadOutcome.Unsettled;
                        throw ChangedWhileLoading(library.FilePath);
                    }
                    successor = ReplaceIsolated(library, next);
                }
                else
                {
                    var opened = OpenShadowed(library.FilePath, directory: null);
                    if (FileStamp.Of(library.FilePath) != before)
                    {
                        opened.Handle.Dispose(); // not initialized: only unloads
                        if (expected is not null) return ReloadOutcome.Unsettled;
                        throw ChangedWhileLoading(library.FilePath);
                    }
                    successor = Replace(library, opened);
                }
            }
            catch (PluginLoadException refused)
            {
                error = refused;
                RaiseReloadFailed(library, refused);
                return ReloadOutcome.Failed;
            }
        }
        RaiseReloaded(library, successor);
        return ReloadOutcome.Reloaded;
    }

    /// <summary>The newest version of a library: itself, or what reloads replaced it with.</summary>
    internal PluginLibrary Newest(PluginLibrary library)
    {
        var current = library;
        while (_successors.TryGetValue(current, out var next)) current = next;
        return current;
    }

    /// <summary>Incremented by every successful reload: a pipeline compares it once per batch.</summary>
    internal int ReloadGeneration => Volatile.Read(ref _reloadGeneration);

    internal ILogger Logger => _logger;

    /// <summary>True once the host was disposed: the watcher's thread ends.</summary>
    internal bool IsDisposed => Volatile.Read(ref _disposed);

    /// <summary>Copies the file, then opens the copy with every check of a normal load (the load policy applies
    /// to the watched file, where the user put it; the file probe to both).</summary>
    private OpenedLibrary OpenShadowed(string path, string? directory)
    {
        var file = Path.GetFullPath(path);
        var stamp = FileStamp.Of(file);
        var copy = TakeShadowCopy(file, directory);
        var opened = LibraryLoader.Open(file, AbiVersion, CanUnload, Interfaces, _gate, directory, loadFrom: copy);
        opened.Handle.SourceStamp = stamp;
        return opened;
    }

    /// <summary>A private copy of <paramref name="file"/> for hot reload.</summary>
    private string TakeShadowCopy(string file, string? directory)
    {
        try
        {
            return ShadowCopies.Take(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The gate names a missing or unreadable file with its usual reason; anything else is the copy's.
            _gate.Check(file, directory);
            throw new PluginLoadException(PluginLoadError.LoadFailed, file, null,
                $"no shadow copy could be made for hot reload: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static PluginLoadException ChangedWhileLoading(string file) => new(PluginLoadError.LoadFailed, file, null,
        "the file changed while its new version was being loaded: reload again once it is written");

    /// <summary>Swaps the new version of an isolated library (loaded and initialized in its worker already) in for
    /// <paramref name="old"/>, under the registry lock, as <see cref="Replace"/> does in process.</summary>
    private PluginLibrary ReplaceIsolated(PluginLibrary old, IsolatedLibrary next)
    {
        try
        {
            PluginLibrary library;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                foreach (var p in next.Info.Plugins)
                    if (_byId.TryGetValue(p.Id, out var other) && !ReferenceEquals(other, old))
                        throw new PluginLoadException(PluginLoadError.DuplicateId, next.FilePath, p.Id,
                            $"the new version declares an id that is already loaded from {other.FilePath}");
                library = new PluginLibrary(this, next, new AllocationCounters(_services.Counters));
                SwapIn(old, library);
            }
            old.Dispose(); // no new instances; its workers end after its last instance
            if (_logger.IsEnabled(LogLevel.Information))
                _logger.LogInformation("reloaded {File} in worker processes ({Mode}): {Old} -> {New}", library.FilePath,
                    next.Mode, Versions(old), Versions(library));
            return library;
        }
        catch
        {
            next.Release();
            throw;
        }
    }

    /// <summary>Puts <paramref name="library"/> where <paramref name="old"/> was. Under <c>_lock</c>.</summary>
    private void SwapIn(PluginLibrary old, PluginLibrary library)
    {
        _libraries[_libraries.IndexOf(old)] = library;
        foreach (var p in old.Plugins)
            if (_byId.TryGetValue(p.Id, out var l) && ReferenceEquals(l, old)) _byId.Remove(p.Id);
        foreach (var p in library.Plugins) _byId.Add(p.Id, library);
        _successors.Add(old, library);
        _retired.RemoveAll(l => l.Released && l.CanUnload); // keeps the list to what is mapped
        _retired.Add(old);
        Interlocked.Increment(ref _reloadGeneration);
    }

    /// <summary>Initializes the new version and swaps it in for <paramref name="old"/>, all under the registry lock,
    /// so that no lookup sees both or neither.</summary>
    private PluginLibrary Replace(PluginLibrary old, OpenedLibrary opened)
    {
        try
        {
            PluginLibrary library;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                foreach (var p in opened.Plugins)
                    if (_byId.TryGetValue(p.Info.Id, out var other) && !ReferenceEquals(other, old))
                        throw new PluginLoadException(PluginLoadError.DuplicateId, opened.FilePath, p.Info.Id,
                            $"the new version declares an id that is already loaded from {other.FilePath}");
                var counters = new AllocationCounters(_services.Counters);
                Initialize(opened, counters);
                library = new PluginLibrary(this, opened, counters);
                SwapIn(old, library);
            }
            old.Dispose(); // no new instances; deinit and unload after its last instance
            if (_logger.IsEnabled(LogLevel.Information))
                _logger.LogInformation("reloaded {File}: {Old} -> {New}", library.FilePath, Versions(old), Versions(library));
            return library;
        }
        catch
        {
            opened.Handle.Dispose();
            throw;
        }
    }

    private static string Versions(PluginLibrary l) => string.Join(", ", l.Plugins.Select(p => $"{p.Id} {p.Version}"));

    private void RaiseReloaded(PluginLibrary old, PluginLibrary library)
    {
        var handler = Reloaded;
        if (handler is null) return;
        try
        {
            handler(this, new PluginReloadedEventArgs(old, library));
        }
        catch (Exception e)
        {
            _logger.LogError(e, "a Reloaded handler threw for {File}", library.FilePath);
        }
    }

    internal void RaiseReloadFailed(PluginLibrary current, PluginLoadException error)
    {
        var handler = ReloadFailed;
        if (handler is null)
        {
            // Nobody handles it: the log is the only place it shows (a handler reports it its own way).
            if (_logger.IsEnabled(LogLevel.Warning))
                _logger.LogWarning("reload of {File} failed, the loaded version keeps running: {Error}", current.FilePath,
                    error.Message);
            return;
        }
        try
        {
            handler(this, new PluginReloadFailedEventArgs(current, error));
        }
        catch (Exception e)
        {
            _logger.LogError(e, "a ReloadFailed handler threw for {File}", current.FilePath);
        }
    }

    private void RequireHotReload()
    {
        if (!Options.HotReload)
            throw new InvalidOperationException(
                "hot reload needs PluginHostOptions.HotReload = true: without it libraries are mapped from their own files, " +
                "which a build rewriting them in place would corrupt under the running code");
    }
}
