using NativePlugins.TestSupport;

namespace NativePlugins.Benchmarks.Infrastructure;

/// <summary>
/// Where the native build put what the benchmarks load. The build folder is <see cref="RepoLayout.BuildDir"/>, the one
/// lookup the tests use too: NPLUG_BUILD_DIR when set (run.sh sets it), else the folder this was built against.
/// </summary>
public static class BenchPaths
{
    /// <summary>The CMake build folder (<c>build/native</c> by default).</summary>
    public static string BuildDir => RepoLayout.BuildDir;

    /// <summary>The benchmark-only plugin bundle (benchmarks/native/plugins/np_bench_plugin.c).</summary>
    public static string BenchPlugin => Path.Combine(BuildDir, "bench", "plugins", "libnp_bench.so");

    /// <summary>A folder of <paramref name="count"/> distinct discovery libraries (benchmarks/native/make-discovery-set.sh).</summary>
    public static string DiscoverySet(int count) => Path.Combine(BuildDir, "bench", "discovery", count.ToString());

    /// <summary>Resolves a path relative to the build folder.</summary>
    public static string InBuild(string relative) => Path.GetFullPath(Path.Combine(BuildDir, relative));
}
