using System.ComponentModel;
using System.Runtime.InteropServices;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// One interface a plugin offers, as the descriptor lists it: its id, how its vtable is made, and its entry in
/// <c>np_plugin_descriptor_t.interface_layouts</c>. <c>np.transform/1</c> is built by the SDK itself (its
/// <c>stats</c> is the SDK's native leaf, found only once the library knows its mode); every other interface's vtable
/// is built by its bindgen-generated exports class around the plugin's generated create function. Used by generated
/// code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed unsafe class PluginInterface
{
    private readonly void* _vtable;
    private readonly TransformFunctions _transform;

    private PluginInterface(string id, void* vtable, np_interface_layout_t layout, TransformFunctions transform)
    {
        Id = id;
        _vtable = vtable;
        Layout = layout;
        _transform = transform;
    }

    /// <summary>The interface id, <c>ns.name/revision</c>.</summary>
    public string Id { get; }

    /// <summary>The interface's layout entry (fingerprint 0 and no report for np.transform/1, which the ABI's own
    /// fingerprint covers).</summary>
    public np_interface_layout_t Layout { get; }

    internal bool IsTransform => _vtable is null;

    /// <summary><c>np.transform/1</c> with the plugin's generated exports.</summary>
    public static PluginInterface Transform(
        delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, np_instance_t**, np_error_t*, int> create,
        delegate* unmanaged[Cdecl]<np_instance_t*, void> destroy,
        delegate* unmanaged[Cdecl]<np_instance_t*, np_batch_t*, np_emitter_t*, np_error_t*, int> process,
        delegate* unmanaged[Cdecl]<np_instance_t*, np_emitter_t*, np_error_t*, int> flush) =>
        new(NpAbi.NP_TRANSFORM_ID_STRING, null, default, new TransformFunctions(create, destroy, process, flush));

    /// <summary><c>np.state/1</c> (ABI 1.3) for a transform that implements <see cref="IStatefulTransform"/>: the
    /// SDK's one shared vtable (<see cref="StateExports"/>).</summary>
    public static PluginInterface State() =>
        new(NpAbi.NP_STATE_ID_STRING, StateExports.VTable(), default, default);

    /// <summary>A user interface: its vtable, already built (static native memory, never freed) by the interface's
    /// generated exports, and its layout entry.</summary>
    public static PluginInterface Native(string id, void* vtable, np_interface_layout_t layout)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (vtable is null)
            throw new ArgumentNullException(nameof(vtable), $"{id}: the generated exports built no vtable");
        return new PluginInterface(id, vtable, layout, default);
    }

    /// <summary>The vtable the descriptor points at: built here for np.transform/1 (with the native
    /// <paramref name="stats"/>, NULL when the library has none), the given one otherwise.</summary>
    internal void* VTable(delegate* unmanaged[Cdecl]<np_instance_t*, np_transform_stats_t*, int> stats)
    {
        if (!IsTransform)
            return _vtable;
        var vtable = (np_transform_v1_t*)NativeMemory.AllocZeroed((nuint)sizeof(np_transform_v1_t));
        vtable->struct_size = (uint)sizeof(np_transform_v1_t);
        vtable->create = _transform.Create;
        vtable->destroy = _transform.Destroy;
        vtable->process = _transform.Process;
        vtable->flush = _transform.Flush;
        vtable->stats = stats;
        return vtable;
    }

    private readonly struct TransformFunctions(
        delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, np_instance_t**, np_error_t*, int> create,
        delegate* unmanaged[Cdecl]<np_instance_t*, void> destroy,
        delegate* unmanaged[Cdecl]<np_instance_t*, np_batch_t*, np_emitter_t*, np_error_t*, int> process,
        delegate* unmanaged[Cdecl]<np_instance_t*, np_emitter_t*, np_error_t*, int> flush)
    {
        public readonly delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, np_instance_t**, np_error_t*, int> Create = create;
        public readonly delegate* unmanaged[Cdecl]<np_instance_t*, void> Destroy = destroy;
        public readonly delegate* unmanaged[Cdecl]<np_instance_t*, np_batch_t*, np_emitter_t*, np_error_t*, int> Process = process;
        public readonly delegate* unmanaged[Cdecl]<np_instance_t*, np_emitter_t*, np_error_t*, int> Flush = flush;
    }
}
