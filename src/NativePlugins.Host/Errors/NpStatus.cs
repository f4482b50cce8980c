using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>Names of <c>np_status</c> values (interop/README.md section 5).</summary>
public static class NpStatus
{
    /// <summary>The name of a status code. An unknown negative code is reported as <c>NP_ERR_PLUGIN</c>, as the
    /// spec says a host must treat it; an unknown positive code is not a valid status at all.</summary>
    public static string Name(int status) => NpAbi.StatusName(status) ?? (status < 0 ? "NP_ERR_PLUGIN" : $"invalid status {status}");

    /// <summary>True for <c>NP_OK</c>.</summary>
    public static bool IsOk(int status) => status == NpAbi.NP_OK;
}
