using System.Security.Cryptography;

namespace NativePlugins.Hosting.Loading;

/// <summary>
/// Applies a host's <see cref="LoadPolicy"/> to one file, around <see cref="LibraryFileProbe"/>: the symlink rule
/// (before anything of a link's target is opened), then the probe, then permissions, ownership and the trust file.
/// On Linux the file is opened once, O_NOFOLLOW (a symlink fails the open with ELOOP and takes the symlink rule
/// first) and O_NONBLOCK (a FIFO cannot block), and every fact is read from that descriptor: statx of the descriptor
/// (type, mode, owner, size), one pread of the ELF header and program headers, close. The directory's mode is a
/// statx of its own, made once per directory within a <see cref="BeginBatch"/> (a directory scan, a discovery).
/// So the usual path (no link, no trust file) costs open + statx + pread + close, plus one statx per directory.
/// Made once per host: the trust file is parsed and the effective user asked once.
/// </summary>
internal sealed class LoadGate
{
    private const uint OtherWrite = 0x2, GroupWrite = 0x10; // S_IWOTH, S_IWGRP

    private readonly LoadPolicy _policy;
    private readonly uint? _euid;
    private readonly TrustList? _trust;

    public LoadGate(LoadPolicy policy)
    {
        _policy = policy ?? throw new ArgumentException("PluginHostOptions.LoadPolicy is null", "LoadPolicy");
        _euid = policy.Owner == OwnerRule.Never ? null : UnixFile.EffectiveUser();
        _trust = policy.TrustFile is { } t ? TrustList.Load(t) : null;
    }

    /// <summary>No rules at all (tests of the probe alone).</summary>
    public static LoadGate None { get; } = new(LoadPolicy.Permissive);

    /// <summary>Refuses <paramref name="file"/> (a full path) with a typed reason, or returns. <paramref name="directory"/>:
    /// where the file was found (a scanned directory), null for the file's own directory.</summary>
    public void Check(string file, string? directory)
    {
        directory ??= Path.GetDirectoryName(file) ?? file;
        if (OperatingSystem.IsLinux() && UnixFile.CanProbeByDescriptor)
        {
            LibraryFileProbe.CheckPath(file);
            if (CheckByDescriptor(file, directory)) return;
        }
        var facts = LibraryFileProbe.Stat(file); // one statx: also says whether the path is a link
        bool isLink = facts?.IsLink ?? new FileInfo(file).LinkTarget is not null;
        string real = Resolve(file, directory, isLink);
        LibraryFileProbe.Check(file, facts);
        CheckPermissions(file, real, facts);
        _trust?.Check(file, real);
    }

    /// <summary>The checks on one descriptor (Linux); false when statx of a descriptor turned out not to be
    /// available (nothing was decided: the path-based checks serve).</summary>
    private bool CheckByDescriptor(string file, string directory)
    {
        int fd = UnixFile.OpenForProbe(file, follow: false, out bool isLink);
        string real = file;
        if (isLink)
        {
            real = Resolve(file, directory, isLink: true); // the symlink rule before the target is opened
            fd = UnixFile.OpenForProbe(file, follow: true, out _);
        }
        FileFacts? facts;
        try
        {
            if (!isLink) real = Resolve(file, directory, isLink: false); // a link among the directories of a subdirectory
            facts = UnixFile.ProbeDescriptor(file, fd, isLink);
        }
        finally
        {
            UnixFile.CloseDescriptor(fd);
        }
        if (facts is null) return false;
        CheckPermissions(file, real, facts);
        _trust?.Check(file, real);
        return true;
    }

    /// <summary>The directory modes looked up by this thread's current batch (null: none open).</summary>
    [ThreadStatic] private static Dictionary<string, uint>? t_directoryModes;

    /// <summary>Opens a batch on this thread until the returned scope is disposed: the mode of each directory is
    /// stat'ed once for all the files checked in it (a directory scan, a discovery), instead of once per file. A
    /// chmod of the directory during the batch is seen by the next batch. Nested batches share the outer one.</summary>
    public static BatchScope BeginBatch()
    {
        if (t_directoryModes is not null) return default;
        t_directoryModes = new Dictionary<string, uint>(StringComparer.Ordinal);
        return new BatchScope(owner: true);
    }

    /// <summary>Closes the batch it opened (a nested scope closes nothing).</summary>
    public readonly struct BatchScope(bool owner) : IDisposable
    {
        public void Dispose()
        {
            if (owner) t_directoryModes = null;
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static uint DirectoryMode(string dir)
    {
        var modes = t_directoryModes;
        if (modes is not null && modes.TryGetValue(dir, out uint known)) return known;
        uint mode = UnixFile.DirectoryMode(dir) ?? (uint)File.GetUnixFileMode(dir);
        if (modes is not null) modes[dir] = mode;
        return mode;
    }

    /// <summary>The file's real path, resolved only when a link is involved (the path is one, or the file was found
    /// in a subdirectory of a scan, which may be one); refuses a link that resolves outside
    /// <paramref name="directory"/> unless the policy allows it.</summary>
    private string Resolve(string file, string directory, bool isLink)
    {
        bool inSubdirectory = !string.Equals(Path.GetDirectoryName(file), Path.TrimEndingDirectorySeparator(directory),
            StringComparison.Ordinal);
        if (!isLink && !inSubdirectory) return file; // the common case: nothing to resolve
        string? real = RealPath(file), realDir = RealPath(directory);
        if (real is null || realDir is null) return file; // missing: the probe names it
        var root = Path.EndsInDirectorySeparator(realDir) ? realDir : realDir + Path.DirectorySeparatorChar;
        if (!_policy.AllowSymlinksOutsideDirectory && !real.StartsWith(root, StringComparison.Ordinal))
            throw new PluginLoadException(PluginLoadError.SymlinkOutsideDirectory, file, null,
                $"a symbolic link to {real}, outside {realDir} (LoadPolicy.AllowSymlinksOutsideDirectory is false)");
        return real;
    }

    /// <summary>Every symlink of the path resolved (directories too), or null when some part does not exist.</summary>
    private static string? RealPath(string path) =>
        OperatingSystem.IsWindows()
            ? new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path)
            : UnixFile.RealPath(path);

    private void CheckPermissions(string file, string real, FileFacts? facts)
    {
        if (OperatingSystem.IsWindows()) return;
        uint forbidden = (_policy.RefuseWritableByOthers ? OtherWrite : 0) | (_policy.RefuseGroupWritable ? GroupWrite : 0);
        if (forbidden != 0)
        {
            uint mode = facts?.Mode ?? (uint)File.GetUnixFileMode(real);
            if ((mode & forbidden) != 0)
                throw Insecure(file, $"the file is {Writable(mode)} (mode {Octal(mode)})");
            var dir = Path.GetDirectoryName(real);
            if (dir is not null)
            {
                uint dirMode = DirectoryMode(dir);
                if ((dirMode & forbidden) != 0)
                    throw Insecure(file, $"its directory {dir} is {Writable(dirMode)} (mode {Octal(dirMode)}): " +
                        "anyone could replace or add libraries there");
            }
        }
        if (_euid is { } euid && facts is { } f && (_policy.Owner == OwnerRule.Always || euid == 0) && f.Owner != euid && f.Owner != 0)
            throw new PluginLoadException(PluginLoadError.UntrustedOwner, file, null,
                $"owned by uid {f.Owner}; the process runs as uid {euid} and loads only its own or root's files" +
                (euid == 0 ? " (running as root)" : ""));
    }

    private static string Writable(uint mode) =>
        (mode & OtherWrite) != 0 ? "writable by every user" : "writable by its group";

    private static string Octal(uint mode) => Convert.ToString(mode & 0xfff, 8).PadLeft(4, '0');

    private static PluginLoadException Insecure(string file, string detail) =>
        new(PluginLoadError.InsecurePermissions, file, null,
            detail + " (LoadPolicy.RefuseWritableByOthers / RefuseGroupWritable)");
}

/// <summary>A parsed trust file (<see cref="LoadPolicy.TrustFile"/>).</summary>
internal sealed class TrustList
{
    private readonly string _source;
    private readonly Dictionary<string, HashSet<string>> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _byName = new(StringComparer.Ordinal);

    private TrustList(string source) => _source = source;

    /// <summary>Reads and parses the file; a missing file or a bad line is a configuration error, thrown when the
    /// host is created (not a refusal of every library later).</summary>
    public static TrustList Load(string trustFile)
    {
        var full = Path.GetFullPath(trustFile);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"LoadPolicy.TrustFile {full} cannot be read: {e.Message}", "LoadPolicy", e);
        }
        var list = new TrustList(full);
        var baseDir = Path.GetDirectoryName(full) ?? "/";
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            int space = line.IndexOfAny([' ', '\t']);
            var hash = space < 0 ? line : line[..space];
            var name = space < 0 ? "" : line[(space + 1)..].TrimStart(' ', '\t');
            if (name.StartsWith('*')) name = name[1..]; // sha256sum's binary-mode marker
            if (hash.Length != 64 || !hash.All(Uri.IsHexDigit) || name.Length == 0)
                throw new ArgumentException(
                    $"LoadPolicy.TrustFile {full}:{i + 1}: expected '<sha256-hex>  <file name or path>', got '{line}'", "LoadPolicy");
            hash = hash.ToLowerInvariant();
            bool hasDirectory = name.Contains('/') || name.Contains(Path.DirectorySeparatorChar);
            var (map, key) = hasDirectory ? (list._byPath, Path.GetFullPath(name, baseDir)) : (list._byName, name);
            if (!map.TryGetValue(key, out var set)) map[key] = set = new HashSet<string>(StringComparer.Ordinal);
            set.Add(hash);
        }
        return list;
    }

    /// <summary>Refuses a file whose SHA-256 is not listed for its path (or, failing a path entry, its name).</summary>
    public void Check(string file, string real)
    {
        string hash;
        try
        {
            using var s = File.OpenRead(real);
            hash = Convert.ToHexStringLower(SHA256.HashData(s));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PluginLoadException(PluginLoadError.LoadFailed, file, null, $"cannot read the file to hash it: {e.Message}", e);
        }
        if (!_byPath.TryGetValue(file, out var listed) && !_byName.TryGetValue(Path.GetFileName(file), out listed))
            throw new PluginLoadException(PluginLoadError.NotTrusted, file, null,
                $"not listed in the trust file {_source}; its SHA-256 is {hash}");
        if (!listed.Contains(hash))
            throw new PluginLoadException(PluginLoadError.NotTrusted, file, null,
                $"changed: its SHA-256 is {hash}, the trust file {_source} lists {string.Join(" or ", listed.Order(StringComparer.Ordinal))}");
    }
}
