using System.ComponentModel;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// One exported plugin as the source generator describes it: the attribute's metadata and the generated
/// [UnmanagedCallersOnly] vtable functions. Used by generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed unsafe class PluginDefinition(
    string id,
    string name,
    string version,
    string description,
    string vendor,
    uint threading,
    delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, np_instance_t**, np_error_t*, int> create,
    delegate* unmanaged[Cdecl]<np_instance_t*, void> destroy,
    delegate* unmanaged[Cdecl]<np_instance_t*, np_batch_t*, np_emitter_t*, np_error_t*, int> process,
    delegate* unmanaged[Cdecl]<np_instance_t*, np_emitter_t*, np_error_t*, int> flush,
    ConfigSchema? configSchema = null)
{
    public string Id { get; } = id;
    public string Name { get; } = name;
    public string Version { get; } = version;
    public string Description { get; } = description;
    public string Vendor { get; } = vendor;
    /// <summary>NP_THREADING_SINGLE or NP_THREADING_THREAD_SAFE.</summary>
    public uint Threading { get; } = threading;
    /// <summary>The plugin's declared options, or null: then unknown keys are found after construction.</summary>
    public ConfigSchema? ConfigSchema { get; } = configSchema;

    internal delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, np_instance_t**, np_error_t*, int> Create { get; } = create;
    internal delegate* unmanaged[Cdecl]<np_instance_t*, void> Destroy { get; } = destroy;
    internal delegate* unmanaged[Cdecl]<np_instance_t*, np_batch_t*, np_emitter_t*, np_error_t*, int> Process { get; } = process;
    internal delegate* unmanaged[Cdecl]<np_instance_t*, np_emitter_t*, np_error_t*, int> Flush { get; } = flush;
}

/// <summary>How the plugin library was entered: NativeAOT export or the hosted shim.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum LibraryMode
{
    /// <summary>A NativeAOT shared library: np_entry is the AOT export.</summary>
    Aot,

    /// <summary>A managed assembly behind the hosted shim.</summary>
    Hosted,
}
