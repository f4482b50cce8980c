using System.Runtime.InteropServices;

namespace NativePlugins.Hosting.Loading;

/// <summary>
/// Opens a library with every symbol bound at load time (rule H3, eager binding). NativeLibrary.Load opens with
/// RTLD_LAZY on Linux: a function the library calls but no loaded object defines is then looked up on its first call,
/// and the dynamic loader ends the process ("symbol lookup error", exit 127) if it is missing, typically from the
/// library's <c>init</c>. With RTLD_NOW the same library fails dlopen and dlerror names the symbol, so it is a
/// <see cref="PluginLoadError.LoadFailed"/> and the host keeps running. RTLD_LOCAL keeps the library's symbols out
/// of the global scope, as NativeLibrary does. The handle is an ordinary dlopen handle: NativeLibrary.GetExport and
/// NativeLibrary.Free take it (they are dlsym and dlclose on Linux). Elsewhere (Windows binds imports at load time
/// anyway, macOS) NativeLibrary opens the file.
/// </summary>
internal static unsafe class EagerBinding
{
    private const int RtldNow = 0x002;   // <dlfcn.h>, glibc and musl
    private const int RtldLocal = 0;     // <dlfcn.h>: the default, spelled out

    private static readonly delegate* unmanaged[Cdecl]<byte*, int, void*> s_dlopen =
        (delegate* unmanaged[Cdecl]<byte*, int, void*>)Resolve("dlopen");

    private static readonly delegate* unmanaged[Cdecl]<byte*> s_dlerror =
        (delegate* unmanaged[Cdecl]<byte*>)Resolve("dlerror");

    /// <summary>True when libraries are opened with RTLD_NOW (Linux, dlopen found in the process).</summary>
    internal static bool IsEager => s_dlopen != null && s_dlerror != null;

    /// <summary>Opens <paramref name="file"/> (a full path); on failure <paramref name="error"/> is the dynamic
    /// loader's reason (dlerror), or null when the fallback (NativeLibrary) cannot give one.</summary>
    public static bool TryOpen(string file, out nint handle, out string? error)
    {
        error = null;
        if (!IsEager) return NativeLibrary.TryLoad(file, out handle);

        var path = System.Text.Encoding.UTF8.GetBytes(file + "\0");
        void* h;
        string? reason = null;
        // dlerror's state is per thread: read it on the thread that failed, right after the failing call.
        fixed (byte* p = path)
        {
            s_dlerror(); // clear an earlier, unrelated error
            h = s_dlopen(p, RtldNow | RtldLocal);
            if (h == null)
            {
                var e = s_dlerror();
                if (e != null) reason = Marshal.PtrToStringUTF8((nint)e);
            }
        }
        handle = (nint)h;
        error = reason?.ReplaceLineEndings(" ").Trim();
        // glibc starts the text with the path, which the refusal already names first.
        if (error is not null && error.StartsWith(file + ": ", StringComparison.Ordinal) && error.Length > file.Length + 2)
            error = error[(file.Length + 2)..];
        return h != null;
    }

    private static nint Resolve(string name)
    {
        if (!OperatingSystem.IsLinux()) return 0;
        try
        {
            // glibc 2.34+ has dlopen in libc; before, in libdl, which the runtime itself links: both are in the global
            // scope the main program's handle searches (as for dladdr1, EntrySymbol).
            return NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), name, out var p) ? p : 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            return 0;
        }
    }
}
