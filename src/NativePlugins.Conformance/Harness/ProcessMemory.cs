namespace NativePlugins.Conformance.Harness;

/// <summary>Resident memory of this process (Linux: /proc/self/statm), for rule P4's "does not grow".</summary>
internal static class ProcessMemory
{
    public static bool Available => File.Exists("/proc/self/statm");

    /// <summary>Resident set size in bytes.</summary>
    public static long ResidentBytes()
    {
        var fields = File.ReadAllText("/proc/self/statm").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(fields[1]) * Libc.PageSize;
    }

    public static string Mib(long bytes) => $"{bytes / (1024.0 * 1024.0):0.0} MiB";
}
