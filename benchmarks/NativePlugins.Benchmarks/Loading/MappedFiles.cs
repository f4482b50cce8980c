namespace NativePlugins.Benchmarks.Loading;

/// <summary>Whether a file is mapped into this process (/proc/self/maps): proves that an unload really unmapped a
/// library, so the next load is a real one.</summary>
public static class MappedFiles
{
    public static bool IsMapped(string path)
    {
        var full = Path.GetFullPath(path);
        foreach (var line in File.ReadLines("/proc/self/maps"))
            if (line.EndsWith(full, StringComparison.Ordinal)) return true;
        return false;
    }
}
