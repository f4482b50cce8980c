using System.Collections.Immutable;
using System.Runtime.InteropServices;
using NativePlugins.Hosting.Interfaces;
using NativePlugins.Hosting.Isolation;
using NativePlugins.Hosting.Loading;
using NativePlugins.Hosting.Services;
using NativePlugins.Hosting.Transforms;
using NativePlugins.Interop;
using FileStamp = NativePlugins.Hosting.Discovery.FileStamp;

namespace NativePlugins.Hosting;

/// <summary>
/// A loaded, validated and initialized plugin library. Owned by its <see cref="PluginHost"/>. Disposing it (or the
/// host) calls <c>deinit</c> as soon as its last instance is destroyed; instances keep the library alive (rule H6).
/// Instances are made with <see cref="CreateTransform"/> (np.transform/1) or <see cref="Create{T}"/> (a registered
/// interface of the host's own).
/// </summary>
public sealed class PluginLibrary : IDisposable
{
    private readonly ImmutableArray<ValidatedPlugin> _validated;
    private readonly Dictionary<string, ValidatedPlugin>? _byId;
    private volatile bool _disposed;

    internal PluginLibrary(PluginHost host, OpenedLibrary opened, AllocationCounters counters)
    {
        Host = host;
        FilePath = opened.FilePath;
        AgreedAbi = opened.Agreed;
        LibraryAbi = opened.LibraryAbi;
        LayoutFingerprint = opened.LayoutFingerprint;
        HasLayoutReport = opened.HasLayoutReport;
        Sdk = opened.Sdk;
        Flags = (LibraryFlags)(opened.Flags ?? 0);
        _handle = opened.Handle;
        Allocations = counters;
        _validated = opened.Plugins;
        var infos = new PluginInfo[_validated.Length];
        for (int i = 0; i < infos.Length; i++) infos[i] = _validated[i].Info;
        Plugins = ImmutableCollectionsMarshal.AsImmutableArray(infos);
        // Most libraries hold a handful of plugins, which a scan finds as fast as a hash lookup; a map is built
        // (once per library load) only for big bundles.
        if (_validated.Length > LinearLookupLimit)
        {
            _byId = new Dictionary<string, ValidatedPlugin>(_validated.Length, StringComparer.Ordinal);
            foreach (var p in _validated) _byId.Add(p.Info.Id, p);
        }
    }

    /// <summary>A library loaded in worker processes (<see cref="PluginHostOptions.Isolation"/>): no handle here.</summary>
    internal PluginLibrary(PluginHost host, IsolatedLibrary isolated, AllocationCounters counters)
    {
        Host = host;
        Isolated = isolated;
        var info = isolated.Info;
        FilePath = isolated.FilePath;
        AgreedAbi = info.Agreed;
        LibraryAbi = info.LibraryAbi;
        LayoutFingerprint = info.LayoutFingerprint;
        HasLayoutReport = info.HasLayoutReport;
        Sdk = info.Sdk;
        Flags = (LibraryFlags)info.Flags;
        Allocations = counters;
        _validated = [];
        Plugins = info.Plugins;
    }

    /// <summary>Set for a library loaded in worker processes.</summary>
    internal IsolatedLibrary? Isolated { get; }

    /// <summary>Where the library's code runs: <see cref="PluginIsolation.InProcess"/> or in worker processes.</summary>
    public PluginIsolation Isolation => Isolated?.Mode ?? PluginIsolation.InProcess;

    private const int LinearLookupLimit = 8;

    private ValidatedPlugin? Find(string pluginId)
    {
        if (_byId is not null) return _byId.GetValueOrDefault(pluginId);
        foreach (var p in _validated)
            if (string.Equals(p.Info.Id, pluginId, StringComparison.Ordinal)) return p;
        return null;
    }

    /// <summary>The host that loaded the library.</summary>
    public PluginHost Host { get; }

    /// <summary>Full path of the library file.</summary>
    public string FilePath { get; }

    /// <summary>The file actually mapped: a private shadow copy of <see cref="FilePath"/> under
    /// <see cref="PluginHostOptions.HotReload"/>, else <see cref="FilePath"/> itself.</summary>
    public string LoadedFrom => (Isolated is { } isolated ? isolated.ShadowCopy : Handle.ShadowCopy) ?? FilePath;

    /// <summary>The file name of the library.</summary>
    public string FileName => Path.GetFileName(FilePath);

    /// <summary>The ABI version host and library agreed on.</summary>
    public AbiVersion AgreedAbi { get; }

    /// <summary>The newest ABI version the library was built for.</summary>
    public AbiVersion LibraryAbi { get; }

    /// <summary>The layout fingerprint the library reported for the agreed minor (equal to the host's).</summary>
    public ulong LayoutFingerprint { get; }

    /// <summary>True when the library handed over a layout report.</summary>
    public bool HasLayoutReport { get; }

    /// <summary>The producing SDK and version, e.g. <c>nplug-c/0.2.0</c>; may be empty.</summary>
    public string Sdk { get; }

    /// <summary>What the library declares in <c>np_library_t.flags</c> (ABI 1.2), unknown bits included;
    /// <see cref="LibraryFlags.None"/> for a library of ABI 1.0/1.1 or one loaded at an agreed minor below 2, whose
    /// flags are not read (rule H2).</summary>
    public LibraryFlags Flags { get; }

    /// <summary>False when the file stays mapped after disposal (rule H6): the library is flagged
    /// <see cref="LibraryFlags.NoUnload"/> (a .NET runtime lives in it), or, for a 1.0/1.1 library, its sdk string
    /// starts with one of <see cref="PluginHostOptions.NeverUnloadSdkPrefixes"/>, or
    /// <see cref="PluginHostOptions.UnloadLibraries"/> is off.</summary>
    public bool CanUnload => Isolated is not null || Handle.CanUnload;

    /// <summary>The plugins in the library, in descriptor order.</summary>
    public ImmutableArray<PluginInfo> Plugins { get; }

    /// <summary>Host-allocator counters of this library: its init table plus all its instances (rule P4).</summary>
    public AllocationCounters Allocations { get; }

    /// <summary>True once disposed (the library stays loaded while instances of it live).</summary>
    public bool IsDisposed => _disposed;

    internal LibraryHandle Handle => _handle ?? throw new NotSupportedException(
        $"{FilePath} is loaded in a worker process ({Isolation}): it has no handle in the host");

    private readonly LibraryHandle? _handle;

    /// <summary>Hot reload: the watched file's stamp when this version's shadow copy was taken (null: not loaded from
    /// one), in process or in worker processes alike.</summary>
    internal FileStamp? SourceStamp => Isolated is { } isolated ? isolated.SourceStamp : Handle.SourceStamp;

    /// <summary>True once nothing of this version is loaded any more: unloaded here, or its last worker ended.</summary>
    internal bool Released => Isolated is { } isolated ? isolated.Released : Handle.Released;

    /// <summary>Creates an <c>np.transform/1</c> instance of a plugin of this library.</summary>
    /// <exception cref="PluginNotFoundException">No plugin with this id in the library.</exception>
    /// <exception cref="NotSupportedException">The plugin does not implement <c>np.transform/1</c>.</exception>
    /// <exception cref="PluginCallException">The plugin's <c>create</c> failed (e.g. NP_ERR_CONFIG).</exception>
    public TransformInstance CreateTransform(string pluginId, string config = "")
    {
        ArgumentNullException.ThrowIfNull(pluginId);
        ArgumentNullException.ThrowIfNull(config);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Isolated is { } isolated) return CreateIsolatedTransform(isolated, pluginId, config);
        if (Find(pluginId) is not { } plugin)
            throw new PluginNotFoundException(pluginId, $"{FilePath}: no plugin '{pluginId}' in this library");
        if (plugin.Transform is null)
            throw new NotSupportedException(
                $"{FilePath}: plugin '{pluginId}' does not implement {Interop.NpAbi.NP_TRANSFORM_ID_STRING} " +
                $"(it implements {string.Join(", ", plugin.Info.Interfaces)})");
        return TransformInstance.Create(this, plugin.Info, plugin.Transform, config);
    }

    private TransformInstance CreateIsolatedTransform(IsolatedLibrary isolated, string pluginId, string config)
    {
        int index = Plugins.IndexOf(Plugins.FirstOrDefault(p => string.Equals(p.Id, pluginId, StringComparison.Ordinal))!);
        if (index < 0)
            throw new PluginNotFoundException(pluginId, $"{FilePath}: no plugin '{pluginId}' in this library");
        var info = Plugins[index];
        if (!info.IsTransform)
            throw new NotSupportedException(
                $"{FilePath}: plugin '{pluginId}' does not implement {Interop.NpAbi.NP_TRANSFORM_ID_STRING} " +
                $"(it implements {string.Join(", ", info.Interfaces)})");
        return TransformInstance.CreateIsolated(this, info, isolated, isolated.Info.HasStats[index], config,
            Host.IsolationLogger);
    }

    /// <summary>The validated vtable of a host-registered interface (interop/interfaces.md section 3) that a plugin of
    /// this library implements: for interfaces without instances, or to call through the raw pointers.</summary>
    /// <exception cref="PluginNotFoundException">No plugin with this id in the library.</exception>
    /// <exception cref="InvalidOperationException">The host did not register <paramref name="contract"/>'s id in
    /// <see cref="PluginHostOptions.Interfaces"/> (or registered another contract under it).</exception>
    /// <exception cref="NotSupportedException">The plugin does not implement the interface.</exception>
    public NativeInterface GetInterface(string pluginId, NativeInterfaceContract contract)
    {
        var (plugin, vt) = Resolve(pluginId, contract);
        return new NativeInterface(this, plugin.Info, vt);
    }

    /// <summary>Creates an instance of a plugin of this library through the registered interface of the typed
    /// wrapper <typeparamref name="T"/> (generated by <c>nplug bindgen</c>), with <paramref name="config"/> (UTF-8,
    /// the plugin's own format). The instance keeps the library loaded until it is disposed (rule H6).</summary>
    /// <exception cref="PluginNotFoundException">No plugin with this id in the library.</exception>
    /// <exception cref="InvalidOperationException">The interface is not registered, or has no instances.</exception>
    /// <exception cref="NotSupportedException">The plugin does not implement the interface.</exception>
    /// <exception cref="PluginCallException">The plugin's <c>@create</c> failed (e.g. NP_ERR_CONFIG).</exception>
    public T Create<T>(string pluginId, string config = "") where T : NativeInstance, INativeInstance<T>
    {
        ArgumentNullException.ThrowIfNull(config);
        var contract = T.Contract;
        if (Isolated is { } isolated) return CreateIsolated<T>(isolated, pluginId, contract, config);
        var (plugin, vt) = Resolve(pluginId, contract);
        if (!contract.HasInstances)
            throw new InvalidOperationException(
                $"{FilePath}: plugin '{pluginId}': {contract.Id} has no instances (no @create/@destroy): use GetInterface");
        var state = NativeInstanceState.Create(this, plugin.Info, vt, config);
        try
        {
            return T.Create(state);
        }
        catch
        {
            // The wrapper never took the instance (or failed while taking it): destroy it here, not in a finalizer.
            state.Handle.Dispose();
            throw;
        }
    }

    /// <summary>Create&lt;T&gt; of an isolated library: the instance lives in a worker, the wrapper calls it through the
    /// proxy bindgen generated with it (<see cref="INativeInstance{TSelf}.Proxy"/>).</summary>
    private T CreateIsolated<T>(IsolatedLibrary isolated, string pluginId, NativeInterfaceContract contract, string config)
        where T : NativeInstance, INativeInstance<T>
    {
        ArgumentNullException.ThrowIfNull(pluginId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var info = Plugins.FirstOrDefault(p => string.Equals(p.Id, pluginId, StringComparison.Ordinal))
            ?? throw new PluginNotFoundException(pluginId, $"{FilePath}: no plugin '{pluginId}' in this library");
        var registered = Registered(pluginId, contract);
        if (!info.Interfaces.Contains(contract.Id))
            throw new NotSupportedException(
                $"{FilePath}: plugin '{pluginId}' does not implement {contract.Id} (it implements {string.Join(", ", info.Interfaces)})");
        if (!contract.HasInstances)
            throw new NotSupportedException(
                $"{FilePath}: plugin '{pluginId}': {contract.Id} has no instances, so its calls cannot be routed to a worker " +
                "process; load this library with PluginIsolation.InProcess");
        var proxy = T.Proxy ?? throw new NotSupportedException(
            $"{FilePath}: plugin '{pluginId}': the bindings of {contract.Id} ({typeof(T).Name}) have no proxy, so it cannot be " +
            "called across process isolation: regenerate them with nplug bindgen and compile its *.Proxy.g.cs (bindgen " +
            "says why when the interface cannot be isolated), or load this library with PluginIsolation.InProcess");
        var state = NativeInstanceState.CreateIsolated(this, info, registered, proxy, isolated, config);
        try
        {
            return T.Create(state);
        }
        catch
        {
            state.Handle.Dispose();
            throw;
        }
    }

    private (ValidatedPlugin Plugin, ValidatedInterface VTable) Resolve(string pluginId, NativeInterfaceContract contract)
    {
        ArgumentNullException.ThrowIfNull(pluginId);
        ArgumentNullException.ThrowIfNull(contract);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Isolated is not null)
            throw new NotSupportedException(
                $"{FilePath}: plugin '{pluginId}': the raw vtable of {contract.Id} is not in this process (the library is " +
                "loaded in a worker): create an instance with Create<T>, or load this library with PluginIsolation.InProcess");
        if (Find(pluginId) is not { } plugin)
            throw new PluginNotFoundException(pluginId, $"{FilePath}: no plugin '{pluginId}' in this library");
        Registered(pluginId, contract);
        if (plugin.Interface(contract.Id) is not { } vt)
            throw new NotSupportedException(
                $"{FilePath}: plugin '{pluginId}' does not implement {contract.Id} " +
                $"(it implements {string.Join(", ", plugin.Info.Interfaces)})");
        return (plugin, vt);
    }

    /// <summary>The host's registration of <paramref name="contract"/>'s id, which must be this contract.</summary>
    private RegisteredInterface Registered(string pluginId, NativeInterfaceContract contract)
    {
        var registered = Host.Interfaces.Find(contract.Id)
            ?? throw new InvalidOperationException(
                $"{FilePath}: plugin '{pluginId}': interface {contract.Id} is not registered in PluginHostOptions.Interfaces, " +
                "so the host did not validate it at load and never calls it");
        if (!ReferenceEquals(registered.Contract, contract) &&
            registered.Contract.Fingerprint(registered.Contract.NewestMinor) != contract.Fingerprint(contract.NewestMinor))
            throw new InvalidOperationException(
                $"{FilePath}: plugin '{pluginId}': the host registered another contract for {contract.Id} (a different " +
                "header): register the contract this wrapper was generated with");
        return registered;
    }

    /// <summary>Releases the library: <c>deinit</c> and unload once no instance of it is left. Idempotent.</summary>
    public void Dispose()
    {
        _disposed = true;
        Host.Forget(this);
        if (Isolated is not null) Isolated.Release();
        else Handle.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{FileName} ({string.Join(", ", Plugins.Select(p => p.Id))})";
}

/// <summary>No loaded plugin has the requested id.</summary>
public sealed class PluginNotFoundException(string pluginId, string message) : KeyNotFoundException(message)
{
    /// <summary>The id that was asked for.</summary>
    public string PluginId { get; } = pluginId;
}
