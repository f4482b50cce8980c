using System.Reflection;

namespace NativePlugins.TestSupport;

/// <summary>
/// Where the repository and the native build folder are, for every test project and the benchmarks: the one lookup.
/// The folders are embedded at build time (NplugEmbedBuildDir, src/build/Common.props); NPLUG_BUILD_DIR at run time
/// wins, so a private build can be tested. A missing artifact fails the test that needs it with the path and the command that builds it: the native
/// build is a prerequisite, never a reason to pass.
/// </summary>
public static class RepoLayout
{
    /// <summary>The repository root (ends without a separator).</summary>
    public static string RepoRoot { get; } = Path.TrimEndingDirectorySeparator(Metadata("NplugRepoRoot"));

    /// <summary>The CMake build folder of the native side.</summary>
    public static string BuildDir { get; } = ResolveBuildDir();

    /// <summary>&lt;build&gt;/plugins: the sample plugin libraries.</summary>
    public static string PluginDir => Path.Combine(BuildDir, "plugins");

    /// <summary>&lt;build&gt;/fixtures: the deliberately broken libraries.</summary>
    public static string FixtureDir => Path.Combine(BuildDir, "fixtures");

    /// <summary>&lt;build&gt;/plugins-hosted: the C# sample plugins built in hosted mode.</summary>
    public static string HostedPluginDir => Path.Combine(BuildDir, "plugins-hosted");

    /// <summary>&lt;build&gt;/fixtures-hosted: the C# fixture plugins built in hosted mode.</summary>
    public static string HostedFixtureDir => Path.Combine(BuildDir, "fixtures-hosted");

    /// <summary>&lt;build&gt;/fixtures/conformance: the libraries nplug check must fail (native/fixtures/conformance).</summary>
    public static string ConformanceFixtureDir => Path.Combine(FixtureDir, "conformance");

    /// <summary>&lt;build&gt;/bin: native programs (the C host, the worker).</summary>
    public static string BinDir => Path.Combine(BuildDir, "bin");

    /// <summary>interop/vectors: the shared test vectors.</summary>
    public static string VectorsDir => Path.Combine(RepoRoot, "interop", "vectors");

    /// <summary>A sample plugin library, which must exist.</summary>
    public static string Plugin(string fileName) => Existing(Path.Combine(PluginDir, fileName));

    /// <summary>A fixture library, which must exist.</summary>
    public static string Fixture(string fileName) => Existing(Path.Combine(FixtureDir, fileName));

    /// <summary>A file below the repository root, which must exist.</summary>
    public static string RepoFile(string relativePath) => Existing(Path.Combine(RepoRoot, relativePath));

    /// <summary><paramref name="path"/> if the file exists; otherwise a FileNotFoundException naming the build.</summary>
    public static string Existing(string path) =>
        File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"{path} is missing: build the native side first (cmake -S {RepoRoot} -B {BuildDir} && cmake --build {BuildDir})",
                path);

    private static string ResolveBuildDir()
    {
        string? env = Environment.GetEnvironmentVariable("NPLUG_BUILD_DIR");
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(string.IsNullOrEmpty(env) ? Metadata("NplugNativeBuildDir") : env));
    }

    private static string Metadata(string key) =>
        typeof(RepoLayout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"assembly metadata '{key}' is missing (NplugEmbedBuildDir)");
}
