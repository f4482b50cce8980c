using NativePlugins.Interop;

namespace NativePlugins.Conformance.Harness;

/// <summary>Names of np_status values for messages.</summary>
internal static class Status
{
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
        > 0 => $"{status} (positive: not a status)",
        _ => $"{status} (unknown code)",
    };
}
