using System.ComponentModel;
using System.Runtime.InteropServices;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// The state of one plugin library (one plugin assembly): its plugin definitions, the native descriptors built
/// from them on the first np_entry (static data, never freed: rule "descriptors are static data of the library"),
/// and the init/deinit reference count. The generated <c>NplugExports</c> class holds exactly one.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed unsafe class LibraryState
{
    /// <summary>The producing SDK, reported in <c>np_library_t.sdk</c> with the mode appended; the version is the
    /// product's (interop/VERSION).</summary>
    public const string SdkName = "nplug-cs/" + SdkVersion.Value;

    private readonly PluginDefinition[] _plugins;
    private readonly delegate* unmanaged[Cdecl]<np_host_t*, np_error_t*, int> _init;
    private readonly delegate* unmanaged[Cdecl]<void> _deinit;
    private readonly object _lock = new();
    private np_library_t* _library;
    private int _initCount;

    /// <summary>Called by generated code with every plugin of the assembly and its generated init/deinit exports.</summary>
    public LibraryState(
        PluginDefinition[] plugins,
        delegate* unmanaged[Cdecl]<np_host_t*, np_error_t*, int> init,
        delegate* unmanaged[Cdecl]<void> deinit)
    {
        _plugins = plugins;
        _init = init;
        _deinit = deinit;
    }

    /// <summary>The plugins of this library, in declaration order.</summary>
    public IReadOnlyList<PluginDefinition> Plugins => _plugins;

    /// <summary>How the library was first entered; decides the sdk string.</summary>
    internal LibraryMode? Mode { get; private set; }

    internal int InitCount => Volatile.Read(ref _initCount);

    /// <summary>The library descriptor, built on the first call and returned unchanged afterwards (rule P3).</summary>
    internal np_library_t* GetOrBuildDescriptor(LibraryMode mode, void* shimServices)
    {
        lock (_lock)
        {
            if (_library is not null)
                return _library;
            Mode = mode;
            var stats = NativeLeaf.FindStats(mode, shimServices);
            _library = DescriptorBuilder.Build(
                $"{SdkName} ({(mode == LibraryMode.Aot ? "aot" : "hosted")})", _plugins, _init, _deinit, stats);
            return _library;
        }
    }

    /// <summary>init: ref-counted (a host may load the same file twice). The init table is not kept (rule S12):
    /// deinit cannot say which init it undoes, so a kept table could be gone; instances log through their own.</summary>
    internal void AddInit()
    {
        lock (_lock)
            _initCount++;
    }

    internal void RemoveInit()
    {
        lock (_lock)
        {
            if (_initCount > 0) // deinit without init: nothing to undo
                _initCount--;
        }
    }
}

/// <summary>Builds the native descriptors: every struct and string in memory that is never freed.</summary>
internal static unsafe class DescriptorBuilder
{
    public static np_library_t* Build(
        string sdk,
        PluginDefinition[] plugins,
        delegate* unmanaged[Cdecl]<np_host_t*, np_error_t*, int> init,
        delegate* unmanaged[Cdecl]<void> deinit,
        delegate* unmanaged[Cdecl]<np_instance_t*, np_transform_stats_t*, int> stats)
    {
        var table = (np_plugin_descriptor_t**)Allocate((nuint)(sizeof(np_plugin_descriptor_t*) * Math.Max(plugins.Length, 1)));
        for (int i = 0; i < plugins.Length; i++)
            table[i] = BuildPlugin(plugins[i], stats);

        var library = (np_library_t*)Allocate((nuint)sizeof(np_library_t));
        library->struct_size = (uint)sizeof(np_library_t);
        library->plugin_count = (uint)plugins.Length;
        library->sdk = NativeText.AllocateStatic(sdk);
        library->plugins = table;
        library->init = init;
        library->deinit = deinit;
        // A .NET runtime lives in the library (NativeAOT's, or the CoreCLR the hosted shim started or joined): its
        // threads and the pointers the runtime hands out outlive deinit, so the file must stay mapped (rule H6).
        library->flags = NpAbi.NP_LIBRARY_NO_UNLOAD;
        return library;
    }

    /// <summary>One descriptor: the plugin's interfaces in order, and <c>interface_layouts</c> (ABI 1.2) parallel to
    /// them: np.transform/1 gives fingerprint 0 and no report (the ABI fingerprint covers it), a user interface the
    /// interface fingerprint and layout report its generated bindings computed.</summary>
    private static np_plugin_descriptor_t* BuildPlugin(
        PluginDefinition plugin, delegate* unmanaged[Cdecl]<np_instance_t*, np_transform_stats_t*, int> stats)
    {
        int count = plugin.Interfaces.Count;
        var interfaces = (np_interface_t*)Allocate((nuint)(sizeof(np_interface_t) * count));
        var layouts = (np_interface_layout_t*)Allocate((nuint)(sizeof(np_interface_layout_t) * count));
        for (int i = 0; i < count; i++)
        {
            PluginInterface offered = plugin.Interfaces[i];
            interfaces[i].id = NativeText.AllocateStatic(offered.Id);
            interfaces[i].vtable = offered.VTable(stats);
            layouts[i] = offered.Layout;
        }

        var descriptor = (np_plugin_descriptor_t*)Allocate((nuint)sizeof(np_plugin_descriptor_t));
        descriptor->struct_size = (uint)sizeof(np_plugin_descriptor_t);
        descriptor->threading = plugin.Threading;
        descriptor->id = NativeText.AllocateStatic(plugin.Id);
        descriptor->name = NativeText.AllocateStatic(plugin.Name);
        descriptor->version = NativeText.AllocateStatic(plugin.Version);
        descriptor->description = NativeText.AllocateStatic(plugin.Description);
        descriptor->vendor = NativeText.AllocateStatic(plugin.Vendor);
        descriptor->interfaces = interfaces;
        descriptor->interface_count = (ulong)count;
        descriptor->interface_layouts = layouts;
        return descriptor;
    }

    private static void* Allocate(nuint size) => NativeMemory.AllocZeroed(size);
}
