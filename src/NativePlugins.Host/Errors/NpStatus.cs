using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>Names of <c>np_status</c> values (interop/README.md section 5).</summary>
public static class NpStatus
{
    /// <summary>The name of a status code. An unknown negative code is reported as <c>NP_ERR_PLUGIN</c>, as the
    /// spec says a host must treat it; an unknown positive code is not a valid status at all.</summary>
    public static string Name(int status) => status switch
    {
        NpAbi.NP_OK => "NP_OK",
        NpAbi.NP_ERR_INVALID_ARGUMENT => "NP_ERR_INVALID_ARGUMENT",
        NpAbi.NP_ERR_CONFIG => "NP_ERR_CONFIG",
        NpAbi.NP_ERR_UNSUPPORTED => "NP_ERR_UNSUPPORTED",
        NpAbi.NP_ERR_VERSION => "NP_ERR_VERSION",
        NpAbi.NP_ERR_OUT_OF_MEMORY => "NP_ERR_OUT_OF_MEMORY",
        NpAbi.NP_ERR_STATE => "NP_ERR_STATE",
        NpAbi.NP_ERR_INPUT => "NP_ERR_INPUT",
        NpAbi.NP_ERR_PLUGIN => "NP_ERR_PLUGIN",
        NpAbi.NP_ERR_PANIC => "NP_ERR_PANIC",
        < 0 => "NP_ERR_PLUGIN",
        _ => $"invalid status {status}",
    };

    /// <summary>True for <c>NP_OK</c>.</summary>
    public static bool IsOk(int status) => status == NpAbi.NP_OK;
}
