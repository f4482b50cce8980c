using System.Diagnostics;

namespace NativePlugins.Hosting.Reload;

/// <summary>
/// The copies a hot-reloading host loads instead of the files it watches. Why copies: a build that rewrites a
/// library in place (<c>cp</c>, most linkers' output) changes the pages of a mapping of that same file under the
/// running code, and truncating it makes the next access SIGBUS; and glibc's loader returns the already loaded
/// object for a path it has loaded, or for a file with the same device and inode (<c>_dl_map_object</c> compares
/// names, then <c>_dl_map_object_from_fd</c> compares <c>st_dev</c>/<c>st_ino</c>), so a new version must be a new
/// file at a new path: a hard link or a rename would be the old object again. The soname is not a key for a path
/// containing a slash. Each copy keeps the original file name (dladdr, perf and debuggers show it) in its own
/// directory: <c>&lt;root&gt;/&lt;pid&gt;-&lt;random&gt;/&lt;n&gt;/&lt;name&gt;</c>, directories 0700.
/// The root is <c>$XDG_RUNTIME_DIR/nplug-shadow</c> when set, else <c>&lt;temp&gt;/nplug-shadow-&lt;uid&gt;</c>.
/// A process holds an exclusive lock on its own directory's <c>owner.lock</c> for its lifetime; at start, the
/// directories whose lock can be taken belong to processes that ended without cleaning up (a crash) and are
/// deleted. Thread-safe.
/// </summary>
internal static class ShadowCopies
{
    private static readonly Lock s_lock = new();
    private static string? s_processDirectory;
    private static FileStream? s_ownerLock;
    private static long s_next;

    /// <summary>Where every process's shadow directories live (for tests and diagnostics).</summary>
    public static string Root
    {
        get
        {
            var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
            if (!string.IsNullOrEmpty(runtime) && Directory.Exists(runtime)) return Path.Combine(runtime, "nplug-shadow");
            return Path.Combine(Path.GetTempPath(), $"nplug-shadow-{Environment.UserName}");
        }
    }

    /// <summary>This process's directory (created, locked and stale directories swept on first use).</summary>
    public static string ProcessDirectory
    {
        get
        {
            lock (s_lock)
            {
                if (s_processDirectory is not null) return s_processDirectory;
                var root = Root;
                CreatePrivateDirectory(root);
                CheckPrivate(root);
                SweepStale(root);
                var dir = Path.Combine(root, $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..24]);
                CreatePrivateDirectory(dir);
                // FileShare.None is an exclusive flock on Unix: released by the kernel when the process dies.
                s_ownerLock = new FileStream(Path.Combine(dir, OwnerLockName), FileMode.Create, FileAccess.ReadWrite,
                    FileShare.None);
                s_processDirectory = dir;
                return dir;
            }
        }
    }

    private const string OwnerLockName = "owner.lock";

    /// <summary>Copies <paramref name="source"/> to a new unique path and returns it. The copy is a snapshot: the
    /// source may be rewritten afterwards without touching it.</summary>
    /// <exception cref="IOException">The copy could not be made (the caller reports it as a load refusal).</exception>
    public static string Take(string source)
    {
        var dir = Path.Combine(ProcessDirectory, Interlocked.Increment(ref s_next).ToString(System.Globalization.CultureInfo.InvariantCulture));
        CreatePrivateDirectory(dir);
        var copy = Path.Combine(dir, Path.GetFileName(source));
        try
        {
            File.Copy(source, copy, overwrite: false);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (ManagedFolder(source) is { } managed)
                CopyTree(managed, Path.Combine(dir, Path.GetFileName(managed)));
            return copy;
        }
        catch
        {
            Delete(copy);
            throw;
        }
    }

    /// <summary>The folder a hosted C# plugin's shim loads its managed part from, <c>&lt;name&gt;.managed/</c> next
    /// to <c>lib&lt;name&gt;.so</c> (native/hosted-shim: the name is the file name without <c>lib</c> and from
    /// <c>.so</c> on), when it exists: it is copied with the library, so that the copy finds it, and so that the
    /// managed part of a new version is a new assembly path too (a new load context beside the old one).</summary>
    internal static string? ManagedFolder(string library)
    {
        var name = Path.GetFileName(library);
        if (name.StartsWith("lib", StringComparison.Ordinal) && name.Length > 3) name = name[3..];
        int so = name.IndexOf(".so", StringComparison.Ordinal);
        if (so >= 0) name = name[..so];
        if (name.Length == 0) return null;
        var folder = Path.Combine(Path.GetDirectoryName(library) ?? ".", name + ".managed");
        return Directory.Exists(folder) ? folder : null;
    }

    private static void CopyTree(string from, string to)
    {
        CreatePrivateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var sub in Directory.EnumerateDirectories(from)) CopyTree(sub, Path.Combine(to, Path.GetFileName(sub)));
    }

    /// <summary>True for a path <see cref="Take"/> made (in this process or another).</summary>
    public static bool IsShadowCopy(string path) =>
        path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Deletes a copy and its directory. Never throws (called from a SafeHandle release, maybe on the
    /// finalizer thread).</summary>
    public static void Delete(string copy)
    {
        try
        {
            File.Delete(copy);
            if (ManagedFolder(copy) is { } managed) Directory.Delete(managed, recursive: true);
            var dir = Path.GetDirectoryName(copy);
            if (dir is not null && Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
                Directory.Delete(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Debug.WriteLine($"nplug: shadow copy {copy} not deleted: {e.Message}");
        }
    }

    /// <summary>Deletes the directories of processes that are gone: their owner lock can be taken.</summary>
    internal static int SweepStale(string root)
    {
        int swept = 0;
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            if (string.Equals(dir, s_processDirectory, StringComparison.Ordinal)) continue;
            var lockFile = Path.Combine(dir, OwnerLockName);
            try
            {
                using (new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
            }
            catch (FileNotFoundException) { /* a directory without a lock file is not a process directory's */ continue; }
            catch (IOException) { continue; } // locked: its process runs
            catch (UnauthorizedAccessException) { continue; }
            try
            {
                Directory.Delete(dir, recursive: true);
                swept++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Debug.WriteLine($"nplug: stale shadow directory {dir} not deleted: {e.Message}");
            }
        }
        return swept;
    }

    /// <summary>A root another user made (or a symlink planted in /tmp) would let that user swap the copies between
    /// copy and dlopen: refuse it unless it is a real directory of this user with mode 0700.</summary>
    private static void CheckPrivate(string root)
    {
        if (OperatingSystem.IsWindows()) return;
        var facts = Loading.UnixFile.Stat(root);
        var mode = File.GetUnixFileMode(root);
        bool foreign = facts is { } f && (f.IsLink || (Loading.UnixFile.EffectiveUser() is { } me && f.Owner != me));
        if (foreign || (mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            throw new IOException($"the shadow-copy directory {root} is not a private directory of this user (mode " +
                $"{Convert.ToString((int)mode, 8)}): remove it, or set XDG_RUNTIME_DIR");
    }

    private static void CreatePrivateDirectory(string dir)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
        else Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
