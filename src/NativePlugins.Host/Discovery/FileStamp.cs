using System.Runtime.InteropServices;
using System.Text;

namespace NativePlugins.Hosting.Discovery;

/// <summary>
/// What tells a changed library file from an unchanged one without reading it: for the registry cache's keys and
/// for the hot-reload watcher alike (equal stamps a debounce interval apart mean the writer is done). Size,
/// modification and change time in nanoseconds, inode and device, from one <c>statx</c> (following a symlink: the
/// key is about the content loaded). Any write changes the mtime, a replacement (a new file renamed over the old,
/// what linkers and package managers do) changes the inode, and chmod/chown change the ctime, so each invalidates the
/// entry. Where statx is not available, the size and .NET's modification time (100 ns resolution) serve, with inode
/// 0. statx is asked only for the fields the stamp holds (the device is always filled).
/// </summary>
internal readonly record struct FileStamp(long Size, long MtimeNs, long CtimeNs, ulong Inode, ulong Device)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    // STATX_TYPE | STATX_MTIME | STATX_CTIME | STATX_INO | STATX_SIZE: what the stamp holds (and the type, for Classify).
    private const uint StampFields = 0x1 | 0x40 | 0x80 | 0x100 | 0x200;
    private const uint TypeMask = 0xF000, TypeDirectory = 0x4000, TypeLink = 0xA000;
    private static bool s_noStatx;

    /// <summary>struct statx of linux/stat.h (256 bytes on every architecture): only the fields read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Ino;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(96)] public long CtimeSec;
        [FieldOffset(104)] public uint CtimeNsec;
        [FieldOffset(112)] public long MtimeSec;
        [FieldOffset(120)] public uint MtimeNsec;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }

    [DllImport("libc", EntryPoint = "statx")]
    private static extern unsafe int StatxCall(int dirfd, byte* path, int flags, uint mask, Statx* buffer);

    /// <summary>The stamp of a file, or null when it cannot be stat'ed (gone, unreadable directory).</summary>
    public static unsafe FileStamp? Of(string path)
    {
        if (OperatingSystem.IsLinux() && !s_noStatx)
        {
            int n = Encoding.UTF8.GetByteCount(path);
            byte[] bytes = new byte[n + 1];
            Encoding.UTF8.GetBytes(path, bytes);
            Statx st;
            try
            {
                fixed (byte* p = bytes)
                    if (StatxCall(AtFdCwd, p, 0, StampFields, &st) != 0) return null;
                return From(in st);
            }
            catch (EntryPointNotFoundException)
            {
                s_noStatx = true; // a libc before statx (glibc < 2.28)
            }
        }
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return null;
            long ns = (info.LastWriteTimeUtc.Ticks - DateTime.UnixEpoch.Ticks) * 100;
            return new FileStamp(info.Length, ns, ns, 0, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The stamp of <paramref name="name"/> (NUL-terminated, borrowed for the call) in the open directory
    /// <paramref name="dirfd"/>, following a link; null when it cannot be stat'ed. Linux only (the caller listed the
    /// directory with libc).</summary>
    public static unsafe FileStamp? Of(int dirfd, byte* name)
    {
        Statx st;
        return StatxCall(dirfd, name, 0, StampFields, &st) == 0 ? From(in st) : null;
    }

    /// <summary>What <paramref name="name"/> in the open directory <paramref name="dirfd"/> is, looking through a
    /// link: for directory entries whose type the listing did not give (links, file systems without d_type).</summary>
    public static unsafe EntryKind Classify(int dirfd, byte* name)
    {
        Statx st;
        if (StatxCall(dirfd, name, AtSymlinkNoFollow, StampFields, &st) != 0) return EntryKind.Other;
        bool link = (st.Mode & TypeMask) == TypeLink;
        if (link && StatxCall(dirfd, name, 0, StampFields, &st) != 0) return EntryKind.LinkToFile; // dangling
        bool directory = (st.Mode & TypeMask) == TypeDirectory;
        return link ? directory ? EntryKind.LinkToDirectory : EntryKind.LinkToFile
            : directory ? EntryKind.Directory : EntryKind.File;
    }

    private static FileStamp From(in Statx st) =>
        new((long)st.Size, st.MtimeSec * 1_000_000_000 + st.MtimeNsec, st.CtimeSec * 1_000_000_000 + st.CtimeNsec,
            st.Ino, ((ulong)st.DevMajor << 32) | st.DevMinor);
}
