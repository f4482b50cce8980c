using System.Reflection;

namespace NativePlugins.RustPlugins.Tests.Infrastructure;

/// <summary>Where the native build (CMake driving cargo) put the Rust libraries. The build folder is embedded at build
/// time (NplugEmbedBuildDir); NPLUG_BUILD_DIR at test time wins, so a private build can be tested.</summary>
public static class RustArtifacts
{
    public const string JsonField = "org.nativeplugins.rust.json-field";
    public const string Dedup = "org.nativeplugins.rust.dedup";
    public const string PanicFixture = "org.nativeplugins.rust.fixture.panic";
    public const string CUpper = "org.nativeplugins.c.upper";

    public static string BuildDir { get; } = ResolveBuildDir();

    /// <summary>libnp_rust_samples.so: json-field + dedup.</summary>
    public static string Samples => Existing(Path.Combine(BuildDir, "plugins", "libnp_rust_samples.so"));

    /// <summary>libnp_rust_fixture_panic.so: the panicking test plugin (a fixture, not a sample).</summary>
    public static string PanicLibrary => Existing(Path.Combine(BuildDir, "fixtures", "libnp_rust_fixture_panic.so"));

    /// <summary>The C sample bundle (upper + grep), for cross-language pipelines.</summary>
    public static string CText => Existing(Path.Combine(BuildDir, "plugins", "libnp_c_text.so"));

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"native artifact missing (build the native side): {path}", path);

    private static string ResolveBuildDir()
    {
        var env = Environment.GetEnvironmentVariable("NPLUG_BUILD_DIR");
        if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
        return typeof(RustArtifacts).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                   .FirstOrDefault(a => a.Key == "NplugNativeBuildDir")?.Value
               ?? throw new InvalidOperationException("no NplugNativeBuildDir assembly metadata");
    }
}
