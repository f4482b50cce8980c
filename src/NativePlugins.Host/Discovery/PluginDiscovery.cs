using NativePlugins.Hosting.Loading;

namespace NativePlugins.Hosting.Discovery;

/// <summary>Finds candidate library files in directories: platform suffix (.so/.dll/.dylib), non-recursive unless
/// asked, symlinks skipped unless asked, ordinal file-name order so scans are reproducible.</summary>
internal static class PluginDiscovery
{
    /// <summary>The candidates in order; <paramref name="FoundIn"/>: file -> the search directory it was found under
    /// (for the load policy's symlink rule); <paramref name="Stamps"/>: each file's <see cref="FileStamp"/> (null: it
    /// could not be stat'ed), taken while listing when asked for, else empty.</summary>
    public sealed record Scan(List<string> Files, Dictionary<string, string> FoundIn, List<PluginLoadException> Errors,
        List<SkippedPath> Skipped, List<FileStamp?> Stamps);

    /// <summary>The search path: explicit directories, then <c>NPLUG_PLUGIN_PATH</c> entries (when enabled, and not in
    /// an elevated process: <see cref="PluginSearchPath.IgnoresEnvironment"/>).
    /// Explicit directories that do not exist are errors; missing environment entries are ignored, like PATH.</summary>
    public static List<(string Directory, bool Explicit)> SearchPath(IEnumerable<string> explicitDirs, bool useEnvironment)
    {
        var result = new List<(string, bool)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in explicitDirs)
            if (!string.IsNullOrWhiteSpace(d) && seen.Add(Normalize(d))) result.Add((Normalize(d), true));
        if (useEnvironment)
        {
            // Empty in a set-uid/set-gid process (PluginSearchPath.IgnoresEnvironment).
            foreach (var d in PluginSearchPath.FromEnvironment())
                if (seen.Add(Normalize(d))) result.Add((Normalize(d), false));
        }
        return result;
    }

    /// <summary>The candidate files of <paramref name="dirs"/>; <paramref name="withStamps"/>: also take each file's
    /// stamp (discovery's registry cache), relative to the open directory where libc lists it.</summary>
    public static Scan Find(IEnumerable<(string Directory, bool Explicit)> dirs, bool recursive, bool followSymlinks,
        bool withStamps = false)
    {
        var scan = new Scan([], new(StringComparer.Ordinal), [], [], []);
        var files = new HashSet<string>(StringComparer.Ordinal);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (dir, isExplicit) in dirs)
        {
            if (!Directory.Exists(dir))
            {
                if (isExplicit)
                    scan.Errors.Add(new PluginLoadException(PluginLoadError.DirectoryNotFound, dir, null,
                        "no such directory"));
                continue;
            }
            Walk(dir, dir, recursive, followSymlinks, withStamps, scan, files, visited);
        }
        return scan;
    }

    private static void Walk(string root, string dir, bool recursive, bool followSymlinks, bool withStamps, Scan scan,
        HashSet<string> files, HashSet<string> visited)
    {
        // A directory reached twice (through a followed symlink, or listed twice) is scanned once: no loops.
        var real = new DirectoryInfo(dir).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dir;
        if (!visited.Add(Path.TrimEndingDirectorySeparator(real))) return;

        List<ListedEntry> entries;
        try
        {
            entries = NativeDirectory.TryList(dir, withStamps ? LibraryFileProbe.LibrarySuffix : null) ?? ListManaged(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            scan.Errors.Add(new PluginLoadException(PluginLoadError.LoadFailed, dir, null,
                $"cannot list the directory: {e.Message}", e));
            return;
        }
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var subdirs = new List<string>();
        foreach (var entry in entries)
        {
            bool isLink = entry.Kind is EntryKind.LinkToFile or EntryKind.LinkToDirectory;
            if (entry.Kind is EntryKind.Directory or EntryKind.LinkToDirectory)
            {
                if (!recursive) continue;
                var sub = Path.Join(dir, entry.Name);
                if (isLink && !followSymlinks)
                {
                    scan.Skipped.Add(new SkippedPath(sub, "symbolic link to a directory (symlinks are not followed)"));
                    continue;
                }
                subdirs.Add(sub);
                continue;
            }
            if (!entry.Name.EndsWith(LibraryFileProbe.LibrarySuffix, StringComparison.Ordinal)) continue;
            var full = Path.Join(dir, entry.Name);
            if (isLink && !followSymlinks)
            {
                scan.Skipped.Add(new SkippedPath(full, "symbolic link (symlinks are not followed)"));
                continue;
            }
            if (files.Add(full))
            {
                scan.Files.Add(full);
                scan.FoundIn[full] = root;
                if (withStamps) scan.Stamps.Add(entry.Stamp ?? FileStamp.Of(full));
            }
        }
        foreach (var sub in subdirs) Walk(root, sub, recursive, followSymlinks, withStamps, scan, files, visited);
    }

    /// <summary>The listing with managed APIs (where libc's is not available): a FileSystemInfo per entry.</summary>
    private static List<ListedEntry> ListManaged(string dir) =>
        new DirectoryInfo(dir).EnumerateFileSystemInfos().Select(e =>
        {
            bool link = e.LinkTarget is not null;
            var kind = e is DirectoryInfo
                ? link ? EntryKind.LinkToDirectory : EntryKind.Directory
                : link ? EntryKind.LinkToFile : EntryKind.File;
            return new ListedEntry(e.Name, kind, null);
        }).ToList();

    private static string Normalize(string dir) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
}
