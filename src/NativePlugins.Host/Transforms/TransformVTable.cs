using NativePlugins.Interop;

namespace NativePlugins.Hosting.Transforms;

/// <summary>A validated <c>np.transform/1</c> vtable, copied out of the library per rule H2 (fields the library's
/// struct_size or the agreed minor do not cover are zero). The functions stay in the library, which the instances
/// keep loaded.</summary>
internal sealed unsafe class TransformVTable
{
    public TransformVTable(np_transform_v1_t vtable) => V = vtable;

    /// <summary>The function pointers (generated type).</summary>
    public readonly np_transform_v1_t V;

    /// <summary>True when the plugin offers <c>stats</c> (ABI 1.1, optional).</summary>
    public bool HasStats => V.stats != null;

    /// <summary>The plugin's <c>np.state/1</c> vtable (ABI 1.3), which saves and restores these instances; null when
    /// the plugin lists none or the agreed minor is below 3. Set once, by the validator.</summary>
    public StateVTable? State { get; set; }
}

