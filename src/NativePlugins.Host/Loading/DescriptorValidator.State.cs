using NativePlugins.Hosting.Transforms;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Loading;

// np.state/1 (ABI 1.3, interop/include/nplug/ext/np_state.h): read only when the agreed minor defines it; below
// that it is an interface this host does not know, listed and never called (a 1.3 library in a 1.2-speaking host).
internal static unsafe partial class DescriptorValidator
{
    /// <summary>The first ABI minor that defines np.state/1.</summary>
    internal const uint StateMinor = 3;

    private const string StateVTableWhat = "the " + NpAbi.NP_STATE_ID_STRING + " vtable";
    private static readonly StructFacts s_state = AbiLayoutFacts.Get("np_state_v1_t");

    private static StateVTable ValidateState(string file, string id, void* vtable, AbiVersion agreed, LoadedMemory memory)
    {
        if (*(uint*)vtable < s_state.MinimumSize) throw TooSmall(vtable, s_state, file, id, StateVTableWhat);
        PointerCheck.ReadableStruct(memory, vtable, s_state, agreed.Minor, (uint)sizeof(np_state_v1_t), file, id,
            "np_interface_t.vtable", StateVTableWhat);
        var vt = PrefixStruct.Read<np_state_v1_t>(vtable, s_state, agreed.Minor, out _);
        if (vt.save == null) throw NullFunction("save");
        if (vt.restore == null) throw NullFunction("restore");
        PointerCheck.Executable(memory, vt.save, file, id, "np_state_v1_t.save");
        PointerCheck.Executable(memory, vt.restore, file, id, "np_state_v1_t.restore");
        return new StateVTable(vt);

        PluginLoadException NullFunction(string fn) =>
            new(PluginLoadError.NullFunction, file, id, $"np_state_v1_t.{fn} is NULL");
    }
}
