using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>The bits of <c>np_library_t.flags</c> (<c>NP_LIBRARY_*</c>, ABI 1.2). Bits this host does not know are
/// kept in the value as the library set them, and ignored.</summary>
[Flags]
public enum LibraryFlags : ulong
{
    /// <summary>No flag set, or a library of ABI 1.0/1.1 (whose flags are not read).</summary>
    None = 0,

    /// <summary><c>NP_LIBRARY_NO_UNLOAD</c>: the library must never be unloaded, because code of it outlives
    /// <c>deinit</c> (a NativeAOT or hosted .NET runtime). The host keeps the file mapped for the life of the process
    /// and still calls <c>deinit</c> (rule H6).</summary>
    NoUnload = NpAbi.NP_LIBRARY_NO_UNLOAD,
}
