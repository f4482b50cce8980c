namespace NativePlugins.TestSupport;

/// <summary>A scratch directory, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <param name="prefix">The start of the folder's name, to tell which tests left it behind.</param>
    public TempDirectory(string prefix = "nplug-host-tests")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Copies a file in (under an optional new name) and returns its path.</summary>
    public string Copy(string source, string? name = null)
    {
        var dest = File(name ?? System.IO.Path.GetFileName(source));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(dest)!);
        System.IO.File.Copy(source, dest, overwrite: true);
        return dest;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
