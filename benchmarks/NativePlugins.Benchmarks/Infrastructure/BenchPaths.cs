using System.Reflection;

namespace NativePlugins.Benchmarks.Infrastructure;

/// <summary>
/// Where the native build put what the benchmarks load. The build folder is NPLUG_BUILD_DIR when set (run.sh sets it),
/// else the folder this assembly was built against (<c>NplugNativeBuildDir</c> metadata, see src/build/Common.props).
/// </summary>
public static class BenchPaths
{
    private static readonly Lazy<string> LazyBuildDir = new(FindBuildDir);

    /// <summary>The CMake build folder (<c>build/native</c> by default).</summary>
    public static string BuildDir => LazyBuildDir.Value;

    /// <summary>The benchmark-only plugin bundle (benchmarks/native/plugins/np_bench_plugin.c).</summary>
    public static string BenchPlugin => Path.Combine(BuildDir, "bench", "plugins", "libnp_bench.so");

    /// <summary>A folder of <paramref name="count"/> distinct discovery libraries (benchmarks/native/make-discovery-set.sh).</summary>
    public static string DiscoverySet(int count) => Path.Combine(BuildDir, "bench", "discovery", count.ToString());

    /// <summary>Resolves a path relative to the build folder.</summary>
    public static string InBuild(string relative) => Path.GetFullPath(Path.Combine(BuildDir, relative));

    private static string FindBuildDir()
    {
        var fromEnv = Environment.GetEnvironmentVariable("NPLUG_BUILD_DIR");
        if (!string.IsNullOrEmpty(fromEnv)) return Path.GetFullPath(fromEnv);
        var fromBuild = typeof(BenchPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "NplugNativeBuildDir")?.Value;
        if (!string.IsNullOrEmpty(fromBuild)) return Path.GetFullPath(fromBuild);
        throw new InvalidOperationException("set NPLUG_BUILD_DIR to the native build folder");
    }
}
