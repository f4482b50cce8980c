using NativePlugins.Interop;

namespace NativePlugins.Conformance.Harness;

/// <summary>Names of np_status values for messages.</summary>
internal static class Status
{
    public static string Name(int status) => NpAbi.StatusName(status) ?? (status > 0 ? $"{status} (positive: not a status)" : $"{status} (unknown code)");
}
