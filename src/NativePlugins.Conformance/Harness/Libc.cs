using System.Runtime.InteropServices;

namespace NativePlugins.Conformance.Harness;

/// <summary>The few libc calls the harness needs: page mappings that can be taken away (to prove a plugin keeps no
/// pointer into its input) and file-descriptor plumbing for the worker protocol.</summary>
internal static unsafe partial class Libc
{
    public const int PROT_NONE = 0;
    public const int PROT_READ = 1;
    public const int PROT_WRITE = 2;
    public const int MAP_PRIVATE = 0x02;
    public const int MAP_ANONYMOUS = 0x20;
    private const int SC_PAGESIZE = 30;

    [LibraryImport("libc", SetLastError = true)]
    public static partial void* mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int munmap(void* addr, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dup(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dup2(int oldfd, int newfd);

    [LibraryImport("libc")]
    private static partial long sysconf(int name);

    public static long PageSize { get; } = OperatingSystem.IsLinux() ? sysconf(SC_PAGESIZE) : 4096;

    /// <summary>Maps <paramref name="length"/> bytes of fresh, zeroed, private memory, rounded up to whole pages.</summary>
    public static (IntPtr Address, nuint Length) MapAnonymous(long length)
    {
        var page = PageSize;
        var rounded = (nuint)((Math.Max(length, 1) + page - 1) / page * page);
        var p = mmap(null, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == (void*)-1)
            throw new InvalidOperationException($"mmap of {rounded} bytes failed (errno {Marshal.GetLastPInvokeError()})");
        return ((IntPtr)p, rounded);
    }
}
