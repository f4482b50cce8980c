using System.Runtime.InteropServices;

namespace NativePlugins.Hosting.Discovery;

/// <summary>What a directory entry is, from the directory itself (<c>d_type</c>) where it can tell. As with
/// FileSystemInfo, anything but a directory is a file (a FIFO, socket or device too: the load gate refuses it by name),
/// and a link is to a directory only when its target is one (a dangling link is a link to a file).</summary>
internal enum EntryKind
{
    File,
    Directory,
    LinkToFile,
    LinkToDirectory,
    /// <summary>Something that vanished while being listed.</summary>
    Other,
}

/// <summary>One entry of a listed directory: its name, what it is, and, for the files asked for, the
/// <see cref="FileStamp"/> taken relative to the open directory.</summary>
internal readonly record struct ListedEntry(string Name, EntryKind Kind, FileStamp? Stamp);

/// <summary>
/// Lists one directory with libc's <c>opendir</c>/<c>readdir64</c> (Linux): the kernel hands the entries over in
/// batches (getdents64) with their type, so telling files, directories and symlinks apart costs no system call per
/// entry, where a FileSystemInfo costs an lstat and its LinkTarget a readlink each. The stamps the registry cache needs
/// are taken by <c>statx</c> relative to the open directory (<c>dirfd</c>), so the kernel does not walk the full path
/// again for every file. Null where libc cannot do this (another OS, no libc): the managed listing serves.
/// </summary>
internal static unsafe partial class NativeDirectory
{
    private const byte DtUnknown = 0, DtDir = 4, DtReg = 8, DtLnk = 10;
    private static bool s_unavailable = !OperatingSystem.IsLinux();

    [LibraryImport("libc", EntryPoint = "opendir", SetLastError = true)]
    private static partial nint OpenDir(byte* path);

    [DllImport("libc", EntryPoint = "readdir64")]
    private static extern byte* ReadDir(nint dir);

    [DllImport("libc", EntryPoint = "dirfd")]
    private static extern int DirFd(nint dir);

    [DllImport("libc", EntryPoint = "closedir")]
    private static extern int CloseDir(nint dir);

    /// <summary>The entries of <paramref name="dir"/> in no particular order, with a stamp for every file (or link to
    /// one, followed) whose name ends in <paramref name="stampSuffix"/> (null: no stamps). Null when this way of
    /// listing is not available; throws IOException (naming the errno) when the directory cannot be opened.</summary>
    public static List<ListedEntry>? TryList(string dir, string? stampSuffix)
    {
        if (s_unavailable) return null;
        try
        {
            return List(dir, stampSuffix);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            s_unavailable = true;
            return null;
        }
    }

    private static List<ListedEntry>? List(string dir, string? stampSuffix)
    {
        if (dir.Contains('\0') || System.Text.Encoding.UTF8.GetByteCount(dir) > Loading.UnixFile.MaxPathBytes) return null;
        byte* cpath = stackalloc byte[Loading.UnixFile.MaxPathBytes + 1];
        int len = System.Text.Encoding.UTF8.GetBytes(dir, new Span<byte>(cpath, Loading.UnixFile.MaxPathBytes));
        cpath[len] = 0;
        nint handle = OpenDir(cpath);
        if (handle == 0) throw new IOException(Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        try
        {
            int fd = DirFd(handle);
            var entries = new List<ListedEntry>();
            byte* d;
            // struct dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name: the same on every architecture.
            while ((d = ReadDir(handle)) != null)
            {
                byte type = d[18];
                byte* name = d + 19;
                var bytes = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(name);
                if (bytes.SequenceEqual("."u8) || bytes.SequenceEqual(".."u8)) continue;
                var text = System.Text.Encoding.UTF8.GetString(bytes);
                var kind = type switch
                {
                    DtReg => EntryKind.File,
                    DtDir => EntryKind.Directory,
                    DtLnk or DtUnknown => FileStamp.Classify(fd, name), // links (rare), file systems without d_type
                    _ => EntryKind.File, // a FIFO, socket or device: a candidate like any file, which the gate refuses
                };
                FileStamp? stamp = null;
                if (stampSuffix is not null && kind is EntryKind.File or EntryKind.LinkToFile &&
                    text.EndsWith(stampSuffix, StringComparison.Ordinal))
                    stamp = FileStamp.Of(fd, name);
                entries.Add(new ListedEntry(text, kind, stamp));
            }
            return entries;
        }
        finally
        {
            CloseDir(handle);
        }
    }
}
