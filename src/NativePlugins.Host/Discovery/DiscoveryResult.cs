namespace NativePlugins.Hosting;

/// <summary>What a directory scan loaded, refused and skipped. One bad file never stops the scan.</summary>
public sealed class DiscoveryResult
{
    internal DiscoveryResult(IReadOnlyList<string> directories, IReadOnlyList<PluginLibrary> libraries,
        IReadOnlyList<PluginLoadException> errors, IReadOnlyList<SkippedPath> skipped)
    {
        Directories = directories;
        Libraries = libraries;
        Errors = errors;
        Skipped = skipped;
    }

    /// <summary>The directories that were scanned, in order.</summary>
    public IReadOnlyList<string> Directories { get; }

    /// <summary>Libraries loaded by this scan, in file-name order per directory.</summary>
    public IReadOnlyList<PluginLibrary> Libraries { get; }

    /// <summary>Files (or directories) that were refused, each with its typed reason.</summary>
    public IReadOnlyList<PluginLoadException> Errors { get; }

    /// <summary>Paths deliberately not loaded (symlinks by default, files already loaded).</summary>
    public IReadOnlyList<SkippedPath> Skipped { get; }

    /// <summary>True when at least one file was refused.</summary>
    public bool HasErrors => Errors.Count > 0;
}

/// <summary>A path a scan did not load, and why.</summary>
public sealed record SkippedPath(string Path, string Reason);
