using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// The layout fingerprint and report this library hands over at negotiation (rule P1), both computed by the
/// generated bindings from this runtime's own view of the ABI structs (sizeof and offsets of the generated C#
/// structs as the JIT or NativeAOT laid them out), so a host detects a runtime that lays them out differently.
/// </summary>
internal static unsafe class AbiLayout
{
    private static readonly ulong[] s_fingerprints = ComputeFingerprints();

    /// <summary>The fingerprint of minor <paramref name="minor"/> (at most NP_ABI_MINOR) as this runtime lays it out.</summary>
    public static ulong Fingerprint(uint minor) => s_fingerprints[minor];

    /// <summary>This runtime's layout report: static native data, built once, never freed.</summary>
    public static np_layout_report_t* Report => NpAbiLayout.CreateNativeReport();

    private static ulong[] ComputeFingerprints()
    {
        var fingerprints = new ulong[NpAbi.NP_ABI_MINOR + 1];
        for (uint minor = 0; minor <= NpAbi.NP_ABI_MINOR; minor++)
            fingerprints[minor] = NpAbiLayout.Fingerprint(NpAbiLayout.CompilerView, minor);
        return fingerprints;
    }
}
