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
    private const uint StatxBasicStats = 0x7ff;
    // The asm-generic values, shared by x64, arm64, x86 and arm (octal 04000, 0400, 02000000).
    private const int ORdOnly = 0, ONonBlock = 0x800, ONoCtty = 0x100, OCloexec = 0x80000;
    private const int ENOENT = 2, EPERM = 1, ENOTDIR = 20, ESPIPE = 29, EISDIR = 21, ENOSYS = 38, ELOOP = 40, EINVAL = 22;
    private const int AtEmptyPath = 0x1000;
    // O_NOFOLLOW is one of the flags whose value differs: 0400000 on x86 and x64 (asm-generic), 0100000 on arm and
    // arm64. 0 where this code does not know it: the gate then stats the path first instead.
    private static readonly int s_oNoFollow = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x20000,
        Architecture.Arm64 or Architecture.Arm => 0x8000,
        _ => 0,
    };

    /// <summary>PATH_MAX: the longest path (UTF-8 bytes, without the NUL) the stack buffers take.</summary>
    public const int MaxPathBytes = 4096;

    public const uint FileTypeMask = 0xF000, TypeRegular = 0x8000, TypeDirectory = 0x4000, TypeFifo = 0x1000, TypeSocket = 0xC000,
        TypeCharDevice = 0x2000, TypeBlockDevice = 0x6000, TypeSymlink = 0xA000;

    private static bool s_noLibc;
    private static bool s_noStatx;

    public static bool IsAvailable => !s_noLibc;

    /// <summary>struct statx of linux/stat.h (256 bytes, the same on every architecture): only the fields read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
        [FieldOffset(0)] public uint Mask;    // stx_mask: the fields filled
        [FieldOffset(20)] public uint Uid;    // stx_uid
        [FieldOffset(28)] public ushort Mode; // stx_mode
        [FieldOffset(40)] public ulong Size;  // stx_size
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

    /// <summary>statx of the path itself (a symlink is not followed, so that one call answers both "is it a link" and,
    /// for the usual non-link, everything else), then of the link's target when it is one. Null when statx is not
    /// available (nothing was looked at; <see cref="CheckWithoutStat"/> must serve).</summary>
    public static FileFacts? Stat(string path)
    {
        if (s_noStatx || s_noLibc) return null;
        try
        {
            return StatCore(path);
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

    private static FileFacts? StatCore(string path)
    {
        byte* cpath = stackalloc byte[MaxPathBytes + 1];
        ToCString(path, cpath);
        Statx st;
        if (StatxCall(AtFdCwd, cpath, AtSymlinkNoFollow, StatxBasicStats, &st) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENOSYS or EPERM) { s_noStatx = true; return null; } // kernel < 4.11 or a seccomp filter
            throw errno is ENOENT or ENOTDIR ? LibraryFileProbe.NotFound(path) : CannotRead(path, errno);
        }
        bool isLink = (st.Mode & FileTypeMask) == TypeSymlink;
        // dlopen follows links: the type, size and owner checked are those of what would be opened.
        if (isLink && StatxCall(AtFdCwd, cpath, 0, StatxBasicStats, &st) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno is ENOENT or ENOTDIR
                ? new PluginLoadException(PluginLoadError.FileNotFound, path, null, "a symbolic link to a missing file")
                : CannotRead(path, errno);
        }
        return new FileFacts(st.Mode, st.Uid, (long)st.Size, isLink);
    }

    /// <summary>The mode of a directory (following links), or null when it cannot be stat'ed this way.</summary>
    public static uint? DirectoryMode(string path)
    {
        if (s_noStatx || s_noLibc || path.Contains('\0') || System.Text.Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
            return null;
        byte* cpath = stackalloc byte[MaxPathBytes + 1];
        ToCString(path, cpath);
        Statx st;
        return StatxCall(AtFdCwd, cpath, 0, StatxBasicStats, &st) == 0 ? st.Mode : null;
    }

    /// <summary>The probe proper, given <see cref="Stat"/>'s facts: type and size from them (a FIFO is refused
    /// before anything could block), then open, one pread, the header checks, close.</summary>
    public static void Read(string path, FileFacts facts)
    {
        ThrowUnlessRegular(path, facts.Mode);
        if (facts.Size == 0) throw LibraryFileProbe.Empty(path);
        byte* cpath = stackalloc byte[MaxPathBytes + 1];
        ToCString(path, cpath);
        // O_NONBLOCK: should the path have become a FIFO since the statx, open returns at once instead of waiting
        // for a writer, and pread fails with ESPIPE. O_NOCTTY: a terminal never becomes the controlling one. No
        // fstat to compare inodes: each system call costs microseconds on a loaded machine, and a file replaced
        // after this check could as well be replaced after it and before dlopen (the directory-permission rule of
        // LoadPolicy is what keeps others from doing either).
        int fd = Open(cpath, ORdOnly | ONonBlock | ONoCtty | OCloexec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno is ENOENT or ENOTDIR ? LibraryFileProbe.NotFound(path) : CannotRead(path, errno);
        }
        try
        {
            Span<byte> header = stackalloc byte[LibraryFileProbe.HeaderBytes];
            var reader = new FileReader(fd);
            int read = reader.Read(header, 0);
            if (read < 0) throw ReadFailed(path, Marshal.GetLastPInvokeError());
            LibraryFileProbe.Inspect(path, header[..read], facts.Size, reader);
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>Whether <see cref="OpenForProbe"/> can serve (Linux, libc with statx, O_NOFOLLOW known).</summary>
    public static bool CanProbeByDescriptor => !s_noLibc && !s_noStatx && s_oNoFollow != 0;

    /// <summary>Opens <paramref name="path"/> for the probe: read-only, non-blocking (a FIFO or device opened by
    /// mistake returns at once; its type is refused from the descriptor before anything is read), without becoming
    /// the controlling terminal, close-on-exec. With <paramref name="follow"/> false the last component must not be
    /// a symlink: then -1 is returned and <paramref name="isLink"/> set, and nothing was opened (the caller applies
    /// the symlink rule first). Throws the typed refusal for a missing or unreadable file. Returns the descriptor,
    /// owned by the caller, who closes it with <see cref="CloseDescriptor"/>.</summary>
    public static int OpenForProbe(string path, bool follow, out bool isLink)
    {
        isLink = false;
        byte* cpath = stackalloc byte[MaxPathBytes + 1];
        ToCString(path, cpath);
        int fd = Open(cpath, ORdOnly | ONonBlock | ONoCtty | OCloexec | (follow ? 0 : s_oNoFollow));
        if (fd >= 0) return fd;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == ELOOP && !follow)
        {
            isLink = true;
            return -1;
        }
        if (errno is ENOENT or ENOTDIR)
            throw follow ? new PluginLoadException(PluginLoadError.FileNotFound, path, null, "a symbolic link to a missing file")
                : LibraryFileProbe.NotFound(path);
        throw CannotRead(path, errno);
    }

    public static void CloseDescriptor(int fd) => Close(fd);

    /// <summary>The probe on an open descriptor: its facts from statx of the descriptor itself (what is read is what
    /// was checked, even if the path is replaced meanwhile), the type and size checks, one pread of the first 4 KiB
    /// into a stack buffer, the header and program-header checks. Null when statx of a descriptor is not available
    /// (nothing was checked). <paramref name="isLink"/>: recorded in the facts.</summary>
    public static FileFacts? ProbeDescriptor(string path, int fd, bool isLink)
    {
        Statx st;
        byte empty = 0; // "" with AT_EMPTY_PATH: the descriptor itself
        if (StatxCall(fd, &empty, AtEmptyPath, StatxBasicStats, &st) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENOSYS or EPERM or EINVAL) { s_noStatx = true; return null; }
            throw CannotRead(path, errno);
        }
        var facts = new FileFacts(st.Mode, st.Uid, (long)st.Size, isLink);
        ThrowUnlessRegular(path, facts.Mode);
        if (facts.Size == 0) throw LibraryFileProbe.Empty(path);
        Span<byte> header = stackalloc byte[LibraryFileProbe.HeaderBytes];
        var reader = new FileReader(fd);
        int read = reader.Read(header, 0);
        if (read < 0) throw ReadFailed(path, Marshal.GetLastPInvokeError());
        LibraryFileProbe.Inspect(path, header[..read], facts.Size, reader);
        return facts;
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
        if (path.Contains('\0') || System.Text.Encoding.UTF8.GetByteCount(path) > MaxPathBytes) return null;
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
