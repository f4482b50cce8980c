using System.Runtime.InteropServices;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// Finds the native [leaf] stats function (native/np_cs_leaf.c; np_cs_leaf.h says why stats is native):
/// linked into the NativeAOT image by the SDK's build targets (DirectPInvoke "np_cs_leaf"), or handed over by the
/// hosted shim. When neither is there, stats stays NULL, which the ABI allows (it is optional).
/// </summary>
internal static unsafe partial class NativeLeaf
{
    /// <summary>Mirrors <c>np_cs_shim_services_t</c> (np_cs_leaf.h): the SDK-private shim contract, not ABI.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ShimServices
    {
        public const uint CurrentVersion = 1; // NP_CS_SHIM_SERVICES_VERSION
        public uint StructSize;
        public uint Version;
        public delegate* unmanaged[Cdecl]<np_instance_t*, np_transform_stats_t*, int> Stats;
    }

    [DllImport("np_cs_leaf", EntryPoint = "np_cs_leaf_stats_fn", ExactSpelling = true)]
    private static extern delegate* unmanaged[Cdecl]<np_instance_t*, np_transform_stats_t*, int> LinkedStatsFunction();

    public static delegate* unmanaged[Cdecl]<np_instance_t*, np_transform_stats_t*, int> FindStats(LibraryMode mode, void* shimServices)
    {
        if (mode == LibraryMode.Hosted)
        {
            var services = (ShimServices*)shimServices;
            if (services is null || services->StructSize < (uint)sizeof(ShimServices) || services->Version != ShimServices.CurrentVersion)
                return null;
            return services->Stats;
        }
        try
        {
            return LinkedStatsFunction();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // built without the SDK's targets: no native leaf, no stats
        }
    }
}
