using System.Runtime.InteropServices;

namespace NativePlugins.Hosting.Reload;

/// <summary>
/// What tells a changed library file from an unchanged one without reading it: device, inode, size, and the
/// modification and status-change times in nanoseconds. A rebuild in place changes size or mtime; an atomic
/// replacement (a rename over the file, <c>install</c>, most linkers) changes the inode even when <c>cp -p</c>
/// kept the mtime. Equal stamps a debounce interval apart mean the writer is done.
/// </summary>
internal readonly record struct FileStamp(ulong Device, ulong Inode, ulong Size, long ModifiedNs, long ChangedNs)
{
    /// <summary>The stamp of <paramref name="path"/> (a symlink is followed: the target is what gets loaded), or
    /// null when the file does not exist (deleted, or between a writer's unlink and rename).</summary>
    public static unsafe FileStamp? Of(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            Statx buffer;
            int rc;
            fixed (byte* p = System.Text.Encoding.UTF8.GetBytes(path + "\0"))
                rc = StatxCall(AtFdCwd, p, 0, StatxBasicStats, &buffer);
            if (rc != 0) return null;
            return new FileStamp(((ulong)buffer.DevMajor << 32) | buffer.DevMinor, buffer.Inode, buffer.Size,
                buffer.MtimeSec * 1_000_000_000L + buffer.MtimeNsec, buffer.CtimeSec * 1_000_000_000L + buffer.CtimeNsec);
        }
        var info = new FileInfo(path);
        if (!info.Exists) return null;
        return new FileStamp(0, 0, (ulong)info.Length, info.LastWriteTimeUtc.Ticks * 100, info.CreationTimeUtc.Ticks * 100);
    }

    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>struct statx of linux/stat.h (256 bytes on every architecture): the fields read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
        [FieldOffset(32)] public ulong Inode;     // stx_ino
        [FieldOffset(40)] public ulong Size;      // stx_size
        [FieldOffset(96)] public long CtimeSec;   // stx_ctime.tv_sec
        [FieldOffset(104)] public uint CtimeNsec; // stx_ctime.tv_nsec
        [FieldOffset(112)] public long MtimeSec;  // stx_mtime.tv_sec
        [FieldOffset(120)] public uint MtimeNsec; // stx_mtime.tv_nsec
        [FieldOffset(136)] public uint DevMajor;  // stx_dev_major
        [FieldOffset(140)] public uint DevMinor;  // stx_dev_minor
    }

    [DllImport("libc", EntryPoint = "statx")]
    private static extern unsafe int StatxCall(int dirfd, byte* path, int flags, uint mask, Statx* buffer);
}
