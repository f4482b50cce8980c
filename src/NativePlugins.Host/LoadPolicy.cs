namespace NativePlugins.Hosting;

/// <summary>Whose files may be loaded, by ownership (<see cref="LoadPolicy.Owner"/>).</summary>
public enum OwnerRule
{
    /// <summary>Any owner.</summary>
    Never,

    /// <summary>Only when the process runs as root (effective uid 0): the file must be owned by root. A process
    /// with every privilege must not run code a normal user could have placed (the Vulkan loader's rule for
    /// elevated processes).</summary>
    WhenRoot,

    /// <summary>Always: the file must be owned by the process's effective user or by root.</summary>
    Always,
}

/// <summary>
/// Which library files the host agrees to load at all, checked before dlopen (interop/README.md, "Load policy").
/// The defaults refuse what no sane deployment needs and anyone else could abuse, and allow the rest: a library
/// (or its directory) writable by every user, an owner other than root when running as root, a symlink pointing out
/// of the directory it was found in. <see cref="TrustFile"/> is off by default, as SQLite's extension loading is:
/// an application that knows its plugins lists their hashes and nothing else loads.
/// </summary>
/// <remarks>Immutable (init-only), so a frozen <see cref="PluginHostOptions"/> can share it. Ownership and
/// permission bits are checked on Unix only (Linux: all of them; other Unix: permission bits); the symlink rule and
/// the trust file everywhere.</remarks>
public sealed record LoadPolicy
{
    /// <summary>The defaults described on the type.</summary>
    public static LoadPolicy Default { get; } = new();

    /// <summary>Every rule off: only the file checks that keep the process alive remain (type, structure).</summary>
    public static LoadPolicy Permissive { get; } = new()
    {
        RefuseWritableByOthers = false,
        Owner = OwnerRule.Never,
        AllowSymlinksOutsideDirectory = true,
    };

    /// <summary>Refuse a file, or a file whose directory, is writable by every user (mode bit o+w, S_IWOTH; the
    /// directory's sticky bit does not excuse it: anyone can still add files to a directory that is scanned).
    /// Default true.</summary>
    public bool RefuseWritableByOthers { get; init; } = true;

    /// <summary>Refuse group-writable files and directories (g+w) too. Default false: with user private groups
    /// (umask 002, common on Linux distributions) a user's own files are group-writable, and the group is theirs.</summary>
    public bool RefuseGroupWritable { get; init; }

    /// <summary>The ownership rule. Default <see cref="OwnerRule.WhenRoot"/>.</summary>
    public OwnerRule Owner { get; init; } = OwnerRule.WhenRoot;

    /// <summary>Load a symbolic link whose target (all links resolved) lies outside the directory it was found in
    /// (the scanned directory, or the directory of a path given to <see cref="PluginHost.Load(string)"/>). Default false.
    /// Whether a directory scan follows symlinks at all is <see cref="PluginHostOptions.FollowSymlinks"/>.</summary>
    public bool AllowSymlinksOutsideDirectory { get; init; }

    /// <summary>A trust file: lines <c>&lt;sha256-hex&gt;  &lt;file name or path&gt;</c> as <c>sha256sum</c> writes them
    /// (a <c>*</c> before the name, blank lines and <c>#</c> comments are accepted). When set, only a library whose
    /// SHA-256 is listed for its path (relative paths are relative to the trust file's directory) or, for an entry
    /// without a directory, for its file name is loaded; anything else is refused with
    /// <see cref="PluginLoadError.NotTrusted"/> naming the file and its hash. Read once, when the host is created.
    /// Default null: no hashing at all.</summary>
    public string? TrustFile { get; init; }
}
