using NativePlugins.Interop;

namespace NativePlugins.Hosting.Transforms;

/// <summary>A validated <c>np.state/1</c> vtable (ABI 1.3), copied out of the library per rule H2: save and restore
/// of the instances the same plugin's np.transform/1 creates (<see cref="TransformVTable.State"/>). The functions stay
/// in the library, which the instances keep loaded.</summary>
internal sealed unsafe class StateVTable(np_state_v1_t vtable)
{
    /// <summary>The function pointers (generated type).</summary>
    public readonly np_state_v1_t V = vtable;
}
