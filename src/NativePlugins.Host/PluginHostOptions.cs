using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>Settings of a <see cref="PluginHost"/>. Settable, so that the options pattern
/// (<c>services.Configure&lt;PluginHostOptions&gt;</c>, configuration binding) can fill them in; a host takes a frozen
/// copy when it is created (<see cref="PluginHost.Options"/>), so changing the caller's instance afterwards does
/// not change a running host, and setting a property of the host's copy throws.</summary>
public sealed class PluginHostOptions
{
    private bool _frozen;

    /// <summary>The environment variable with extra plugin directories, separated by <see cref="Path.PathSeparator"/>.</summary>
    public const string PluginPathEnvironmentVariable = "NPLUG_PLUGIN_PATH";

    /// <summary>Where plugin log lines go (category = plugin id; the library file name for lines logged during
    /// init/deinit). Null: log lines are dropped.</summary>
    public ILoggerFactory? LoggerFactory { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Where the host's meter (<see cref="Diagnostics.PluginTelemetry.SourceName"/>) comes from, usually the
    /// dependency-injection container's. Null: a meter of the process shared by every host without a factory.</summary>
    public IMeterFactory? MeterFactory { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Directories <see cref="PluginHost.LoadFromSearchPath"/> scans, before <c>NPLUG_PLUGIN_PATH</c>.</summary>
    public IReadOnlyList<string> SearchPaths { get; set { ThrowIfFrozen(); field = value; } } = [];

    /// <summary>Also scan the directories in <c>NPLUG_PLUGIN_PATH</c>. Default true. Never in a set-uid, set-gid or
    /// file-capability process (<see cref="PluginSearchPath.IgnoresEnvironment"/>; the host logs a warning).</summary>
    public bool UseEnvironmentSearchPath { get; set { ThrowIfFrozen(); field = value; } } = true;

    /// <summary>Scan subdirectories too. Default false.</summary>
    public bool Recursive { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Load files (and, when recursive, enter directories) that are symbolic links. Default false: a
    /// symlink is skipped and listed in <see cref="DiscoveryResult.Skipped"/>.</summary>
    public bool FollowSymlinks { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Which files the host agrees to load at all, checked before dlopen: permissions, ownership, symlinks
    /// leaving their directory, an optional SHA-256 trust file. Default <see cref="LoadPolicy.Default"/>
    /// (<see cref="Hosting.LoadPolicy"/> says what it refuses and why).</summary>
    public LoadPolicy LoadPolicy { get; set { ThrowIfFrozen(); field = value; } } = LoadPolicy.Default;

    /// <summary>The newest ABI minor this host offers at negotiation. Default: the header's <c>NP_ABI_MINOR</c>.
    /// A lower value makes the host behave like an older host (tools use it to test rule P1).</summary>
    public uint AbiMinor { get; set { ThrowIfFrozen(); field = value; } } = Interop.NpAbi.NP_ABI_MINOR;

    /// <summary>Unload (dlclose) libraries once nothing of them is in use. Default true. A library flagged
    /// <c>NP_LIBRARY_NO_UNLOAD</c> (ABI 1.2) is never unloaded, nor is a 1.0/1.1 library whose SDK string starts with
    /// one of <see cref="NeverUnloadSdkPrefixes"/> (rule H6).</summary>
    public bool UnloadLibraries { get; set { ThrowIfFrozen(); field = value; } } = true;

    /// <summary>SDK string prefixes of libraries that cannot be unloaded: a .NET runtime (NativeAOT or hosted CoreCLR)
    /// lives in them. Consulted only for libraries whose <c>np_library_t.flags</c> cannot be read (ABI 1.0/1.1, or an
    /// agreed minor below 2); from ABI 1.2 on a library says so itself with <c>NP_LIBRARY_NO_UNLOAD</c>, which the C#
    /// SDK sets. Default: <c>nplug-cs</c>, <c>nplug-dotnet</c>.</summary>
    public IReadOnlyList<string> NeverUnloadSdkPrefixes { get; set { ThrowIfFrozen(); field = value; } } = ["nplug-cs", "nplug-dotnet"];

    /// <summary>Host extensions offered through <c>np_host_t.get_extension</c>: id -> pointer to a struct that
    /// starts with <c>uint32_t struct_size</c> and stays valid while the host lives. Unknown ids return NULL.</summary>
    public IReadOnlyDictionary<string, nint> HostExtensions { get; set { ThrowIfFrozen(); field = value; } } = new Dictionary<string, nint>();

    /// <summary>The interfaces of the host's own (interop/interfaces.md), usually the generated
    /// <c>&lt;VTable&gt;.Contract</c> of each typed wrapper. At load, the vtable of every listed interface a plugin
    /// implements is validated (struct_size, layout fingerprint, required functions); plugins' other interfaces are
    /// listed but never called. Ids must be unique (the host refuses duplicates at construction). Default: none.</summary>
    public IReadOnlyList<NativeInterfaceContract> Interfaces { get; set { ThrowIfFrozen(); field = value; } } = [];

    /// <summary>The host name handed to plugins in <c>np_host_t.name</c>.</summary>
    public string HostName { get; set { ThrowIfFrozen(); field = value; } } = "nplug-dotnet-host";

    /// <summary>How <see cref="PluginHost.Discover()"/> lists plugins without loading them: the out-of-process
    /// scanner, the registry cache, sidecar manifests. Default <see cref="DiscoveryOptions.Default"/>.</summary>
    public DiscoveryOptions Discovery { get; set { ThrowIfFrozen(); field = value; } } = DiscoveryOptions.Default;
    /// <summary>Hot reload: every library is loaded from a private shadow copy (so that a build may rewrite the file
    /// in place), and <see cref="PluginHost.Watch"/> and <see cref="PluginHost.Reload"/> replace a library whose file
    /// changed by its new version. Default false: libraries are mapped from their own files.</summary>
    public bool HotReload { get; set { ThrowIfFrozen(); field = value; } }
    /// <summary>Where plugin code runs: <see cref="PluginIsolation.InProcess"/> (the default) or in worker processes
    /// (<c>nplug-worker</c>), so that a plugin that crashes, exits or hangs costs only itself. Same types and errors
    /// either way; <see cref="PluginHost.Load(string, PluginIsolation)"/> overrides it per library.</summary>
    public PluginIsolation Isolation { get; set { ThrowIfFrozen(); field = value; } } = PluginIsolation.InProcess;

    /// <summary>The worker processes' deadlines, limits and restart policy (when <see cref="Isolation"/> or a
    /// per-load override isolates a library). Immutable; default <see cref="IsolationOptions.Default"/>.</summary>
    public IsolationOptions IsolationOptions { get; set { ThrowIfFrozen(); field = value; } } = IsolationOptions.Default;

    /// <summary>True for the copy a <see cref="PluginHost"/> runs with: its properties can no longer be set.</summary>
    public bool IsFrozen => _frozen;

    /// <summary>A frozen copy for a host: the collections are copied too, so a list the caller keeps changing
    /// cannot change what the host scans or validates.</summary>
    internal PluginHostOptions Freeze() => new()
    {
        LoggerFactory = LoggerFactory,
        MeterFactory = MeterFactory,
        SearchPaths = Copy(SearchPaths, nameof(SearchPaths)),
        UseEnvironmentSearchPath = UseEnvironmentSearchPath,
        Recursive = Recursive,
        FollowSymlinks = FollowSymlinks,
        LoadPolicy = LoadPolicy ?? throw Null(nameof(LoadPolicy)), // immutable: shared, not copied
        AbiMinor = AbiMinor,
        UnloadLibraries = UnloadLibraries,
        NeverUnloadSdkPrefixes = Copy(NeverUnloadSdkPrefixes, nameof(NeverUnloadSdkPrefixes)),
        HostExtensions = new Dictionary<string, nint>(
            HostExtensions ?? throw Null(nameof(HostExtensions)), StringComparer.Ordinal),
        Interfaces = Copy(Interfaces, nameof(Interfaces)),
        HostName = HostName ?? throw Null(nameof(HostName)),
        Discovery = Discovery ?? throw Null(nameof(Discovery)), // immutable: shared, not copied
        HotReload = HotReload,
        Isolation = Isolation,
        IsolationOptions = IsolationOptions ?? throw Null(nameof(IsolationOptions)), // immutable: shared
        _frozen = true,
    };

    private static T[] Copy<T>(IReadOnlyList<T>? list, string name) => (list ?? throw Null(name)).ToArray();

    private static ArgumentException Null(string property) =>
        new($"PluginHostOptions.{property} is null", property);

    private void ThrowIfFrozen()
    {
        if (_frozen)
            throw new InvalidOperationException(
                "these PluginHostOptions belong to a PluginHost and can no longer change: set options before creating the host");
    }
}
