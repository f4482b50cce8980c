using System.Runtime.InteropServices;
using System.Text;

namespace NativePlugins.Hosting.Discovery;

/// <summary>
/// What the registry cache keys a library file by: size, modification and change time in nanoseconds, inode and
/// device, from one <c>statx</c> (following a symlink: the key is about the content loaded). Any write changes the
/// mtime, a replacement (a new file renamed over the old, what linkers and package managers do) changes the inode,
/// and chmod/chown change the ctime, so each invalidates the entry. Where statx is not available, the size and
/// .NET's modification time (100 ns resolution) serve, with inode 0.
/// </summary>
internal readonly record struct FileStamp(long Size, long MtimeNs, long CtimeNs, ulong Inode, ulong Device)
{
    private const int AtFdCwd = -100;
    private const uint StatxBasic = 0x7ff;
    private static bool s_noStatx;

    /// <summary>struct statx of linux/stat.h (256 bytes on every architecture): only the fields read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
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
                    if (StatxCall(AtFdCwd, p, 0, StatxBasic, &st) != 0) return null;
                return new FileStamp((long)st.Size, st.MtimeSec * 1_000_000_000 + st.MtimeNsec,
                    st.CtimeSec * 1_000_000_000 + st.CtimeNsec, st.Ino, ((ulong)st.DevMajor << 32) | st.DevMinor);
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
}
