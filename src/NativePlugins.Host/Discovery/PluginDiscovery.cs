using NativePlugins.Hosting.Loading;

namespace NativePlugins.Hosting.Discovery;

/// <summary>Finds candidate library files in directories: platform suffix (.so/.dll/.dylib), non-recursive unless
/// asked, symlinks skipped unless asked, ordinal file-name order so scans are reproducible.</summary>
internal static class PluginDiscovery
{
    /// <summary>The candidates in order; <paramref name="FoundIn"/>: file -> the search directory it was found under
    /// (for the load policy's symlink rule).</summary>
    public sealed record Scan(List<string> Files, Dictionary<string, string> FoundIn, List<PluginLoadException> Errors,
        List<SkippedPath> Skipped);

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

    public static Scan Find(IEnumerable<(string Directory, bool Explicit)> dirs, bool recursive, bool followSymlinks)
    {
        var scan = new Scan([], new(StringComparer.Ordinal), [], []);
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
            Walk(dir, dir, recursive, followSymlinks, scan, files, visited);
        }
        return scan;
    }

    private static void Walk(string root, string dir, bool recursive, bool followSymlinks, Scan scan, HashSet<string> files,
        HashSet<string> visited)
    {
        // A directory reached twice (through a followed symlink, or listed twice) is scanned once: no loops.
        var real = new DirectoryInfo(dir).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dir;
        if (!visited.Add(Path.TrimEndingDirectorySeparator(real))) return;

        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = new DirectoryInfo(dir).EnumerateFileSystemInfos()
                .OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            scan.Errors.Add(new PluginLoadException(PluginLoadError.LoadFailed, dir, null,
                $"cannot list the directory: {e.Message}", e));
            return;
        }

        var subdirs = new List<string>();
        foreach (var entry in entries)
        {
            bool isLink = entry.LinkTarget is not null;
            if (entry is DirectoryInfo)
            {
                if (!recursive) continue;
                if (isLink && !followSymlinks)
                {
                    scan.Skipped.Add(new SkippedPath(entry.FullName, "symbolic link to a directory (symlinks are not followed)"));
                    continue;
                }
                subdirs.Add(entry.FullName);
                continue;
            }
            if (!entry.Name.EndsWith(LibraryFileProbe.LibrarySuffix, StringComparison.Ordinal)) continue;
            if (isLink && !followSymlinks)
            {
                scan.Skipped.Add(new SkippedPath(entry.FullName, "symbolic link (symlinks are not followed)"));
                continue;
            }
            if (files.Add(entry.FullName))
            {
                scan.Files.Add(entry.FullName);
                scan.FoundIn[entry.FullName] = root;
            }
        }
        foreach (var sub in subdirs) Walk(root, sub, recursive, followSymlinks, scan, files, visited);
    }

    private static string Normalize(string dir) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
}
