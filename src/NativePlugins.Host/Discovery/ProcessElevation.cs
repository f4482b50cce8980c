using System.Runtime.InteropServices;

namespace NativePlugins.Hosting.Discovery;

/// <summary>
/// Whether this process runs with privileges its caller does not have: set-user-ID or set-group-ID, or file
/// capabilities (Linux: the kernel's <c>AT_SECURE</c> auxiliary vector entry, which is exactly the test glibc's
/// <c>secure_getenv</c> makes; elsewhere on Unix: effective and real user or group differ). Such a process must not
/// take directories of code to run from its environment, which whoever started it controls: the rule of the Vulkan
/// loader for elevated processes and of the dynamic loader itself, which ignores <c>LD_LIBRARY_PATH</c> then.
/// </summary>
internal static partial class ProcessElevation
{
    private const nuint AtSecure = 23; // <elf.h>

    private static readonly Lazy<bool> s_elevated = new(Detect);

    /// <summary>True when the process is elevated (asked once: it cannot change while the process runs).</summary>
    public static bool IsElevated => TestOverride ?? s_elevated.Value;

    /// <summary>Tests only: pretend the process is (or is not) elevated; null asks the system.</summary>
    internal static bool? TestOverride { get; set; }

    [LibraryImport("libc", EntryPoint = "getauxval")]
    private static partial nuint GetAuxVal(nuint type);

    [LibraryImport("libc", EntryPoint = "getuid")]
    private static partial uint GetUid();

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "getgid")]
    private static partial uint GetGid();

    [LibraryImport("libc", EntryPoint = "getegid")]
    private static partial uint GetEgid();

    private static bool Detect()
    {
        if (OperatingSystem.IsWindows()) return false; // no set-uid; an elevated token is the administrator's own choice
        try
        {
            if (OperatingSystem.IsLinux() && GetAuxVal(AtSecure) != 0) return true;
            return GetUid() != GetEuid() || GetGid() != GetEgid();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // no libc to ask (cannot happen on a Unix .NET runs on); the environment is then honoured
        }
    }
}
