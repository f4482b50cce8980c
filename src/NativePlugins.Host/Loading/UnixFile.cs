using System.Runtime.InteropServices;

namespace NativePlugins.Hosting.Loading;

/// <summary>
/// The Linux side of <see cref="LibraryFileProbe"/>: libc's statx, open, pread and close, with no SafeHandle and no
/// managed stat. statx because its struct has one layout on every architecture (struct stat does not), so one
/// declaration serves x64, arm64 and the 32-bit ones.
/// </summary>
internal static unsafe partial class UnixFile
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    // The asm-generic values, shared by x64, arm64, x86 and arm (octal 04000, 0400, 02000000).
    private const int ORdOnly = 0, ONonBlock = 0x800, ONoCtty = 0x100, OCloexec = 0x80000;
    private const int MaxPathBytes = 4096; // PATH_MAX
    private const int ENOENT = 2, EPERM = 1, ENOTDIR = 20, ESPIPE = 29, EISDIR = 21, ENOSYS = 38;

    /// <summary>Longest path (in UTF-16 chars) that surely fits the stack buffer as UTF-8.</summary>
    public const int MaxPathChars = MaxPathBytes / 3;

    public const uint FileTypeMask = 0xF000, TypeRegular = 0x8000, TypeDirectory = 0x4000, TypeFifo = 0x1000, TypeSocket = 0xC000,
        TypeCharDevice = 0x2000, TypeBlockDevice = 0x6000, TypeSymlink = 0xA000;

    private static bool s_noLibc;
    private static bool s_noStatx;

    public static bool IsAvailable => !s_noLibc;

    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Ino;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static partial int StatxCall(int dirfd, byte* path, int flags, uint mask, Statx* buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int Open(byte* path, int flags);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static partial nint PreadCall(int fd, byte* buffer, nuint count, long offset);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    /// <summary>pread into a span: bytes read, or -1 (errno in <see cref="Marshal.GetLastPInvokeError"/>).</summary>
    public static int Pread(int fd, Span<byte> buffer, long offset)
    {
        fixed (byte* b = buffer) return (int)PreadCall(fd, b, (nuint)buffer.Length, offset);
    }

    /// <summary>The whole probe through statx: the facts about the file, or null when statx is unavailable (then
    /// nothing was opened and <see cref="CheckWithoutStat"/> must run).</summary>
    public static FileFacts? CheckLinux(string path)
    {
        if (s_noStatx) return null;
        try
        {
            return CheckCore(path);
        }
        catch (EntryPointNotFoundException)
        {
            s_noStatx = true; // a libc before statx (glibc < 2.28)
            return null;
        }
        catch (DllNotFoundException)
        {
            s_noLibc = true; // the managed path serves from now on
            return null;
        }
    }

    private static FileFacts? CheckCore(string path)
    {
        byte* cpath = stackalloc byte[MaxPathBytes + 1];
        ToCString(path, cpath);
        Statx st;
        // Follows symlinks, as dlopen does: the type checked is the type of what would be opened.
        if (StatxCall(AtFdCwd, cpath, 0, StatxBasicStats, &st) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENOSYS or EPERM) { s_noStatx = true; return null; } // kernel < 4.11 or a seccomp filter
            throw errno is ENOENT or ENOTDIR ? LibraryFileProbe.NotFound(path) : CannotRead(path, errno);
        }
        ThrowUnlessRegular(path, st.Mode);
        if (st.Size == 0) throw LibraryFileProbe.Empty(path);

        // O_NONBLOCK: should the path have become a FIFO since the statx, open returns at once instead of waiting
        // for a writer. O_NOCTTY: a terminal never becomes the controlling one.
        int fd = Open(cpath, ORdOnly | ONonBlock | ONoCtty | OCloexec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno is ENOENT or ENOTDIR ? LibraryFileProbe.NotFound(path) : CannotRead(path, errno);
        }
        try
        {
            Statx opened;
            byte empty = 0;
            if (StatxCall(fd, &empty, AtEmptyPath, StatxBasicStats, &opened) != 0)
                throw CannotRead(path, Marshal.GetLastPInvokeError());
            ThrowUnlessRegular(path, opened.Mode);
            if (opened.Ino != st.Ino || opened.DevMajor != st.DevMajor || opened.DevMinor != st.DevMinor)
                throw new PluginLoadException(PluginLoadError.LoadFailed, path, null,
                    "the file was replaced while it was being checked");
            if (opened.Size == 0) throw LibraryFileProbe.Empty(path);

            Span<byte> header = stackalloc byte[LibraryFileProbe.HeaderBytes];
            var reader = new FileReader(fd);
            int read = reader.Read(header, 0);
            if (read < 0) throw ReadFailed(path, Marshal.GetLastPInvokeError());
            LibraryFileProbe.Inspect(path, header[..read], (long)opened.Size, reader);
            return new FileFacts(opened.Mode, opened.Uid, (long)opened.Size);
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>Without statx: open non-blocking (a FIFO cannot block), and let pread tell what the file is.</summary>
    public static void CheckWithoutStat(string path)
    {
        byte* cpath = stackalloc byte[MaxPathBytes + 1];
        ToCString(path, cpath);
        int fd = Open(cpath, ORdOnly | ONonBlock | ONoCtty | OCloexec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno is ENOENT or ENOTDIR ? LibraryFileProbe.NotFound(path) : CannotRead(path, errno);
        }
        try
        {
            long size = new FileInfo(path).Length; // a stat by path; no second open
            if (size == 0) throw LibraryFileProbe.Empty(path);
            Span<byte> header = stackalloc byte[LibraryFileProbe.HeaderBytes];
            var reader = new FileReader(fd);
            int read = reader.Read(header, 0);
            if (read < 0) throw ReadFailed(path, Marshal.GetLastPInvokeError());
            LibraryFileProbe.Inspect(path, header[..read], size, reader);
        }
        finally
        {
            Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static partial byte* RealPathCall(byte* path, byte* resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(byte* p);

    /// <summary>realpath(3): every symlink resolved, or null when a part of the path does not exist.</summary>
    public static string? RealPath(string path)
    {
        if (path.Length > MaxPathChars || path.Contains('\0')) return null;
        byte* cpath = stackalloc byte[MaxPathBytes + 1];
        ToCString(path, cpath);
        try
        {
            byte* resolved = RealPathCall(cpath, null); // malloc'ed by libc
            if (resolved == null) return null;
            try
            {
                return Marshal.PtrToStringUTF8((nint)resolved);
            }
            finally
            {
                Free(resolved);
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return Path.GetFullPath(path);
        }
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();

    /// <summary>The effective user id of the process, or null where it cannot be asked.</summary>
    public static uint? EffectiveUser()
    {
        if (OperatingSystem.IsWindows()) return null;
        try
        {
            return GetEuid();
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

    private static void ThrowUnlessRegular(string path, uint mode)
    {
        uint type = mode & FileTypeMask;
        if (type == TypeRegular) return;
        string what = type switch
        {
            TypeDirectory => "a directory",
            TypeFifo => "a FIFO (named pipe): opening it could block the host forever",
            TypeSocket => "a socket",
            TypeCharDevice => "a character device",
            TypeBlockDevice => "a block device",
            _ => $"a file of type 0x{type:x4}",
        };
        throw new PluginLoadException(PluginLoadError.NotARegularFile, path, null, $"{what}, not a regular file");
    }

    private static PluginLoadException CannotRead(string path, int errno) =>
        new(PluginLoadError.LoadFailed, path, null, $"cannot read the file: {Marshal.GetPInvokeErrorMessage(errno)}");

    private static PluginLoadException ReadFailed(string path, int errno) => errno switch
    {
        ESPIPE => new(PluginLoadError.NotARegularFile, path, null, "a FIFO or socket, not a regular file"),
        EISDIR => new(PluginLoadError.NotARegularFile, path, null, "a directory, not a regular file"),
        _ => CannotRead(path, errno),
    };

    private static void ToCString(string path, byte* buffer)
    {
        int len = System.Text.Encoding.UTF8.GetBytes(path, new Span<byte>(buffer, MaxPathBytes));
        buffer[len] = 0;
    }
}
