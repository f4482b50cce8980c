namespace NativePlugins.RustPlugins.Tests.Infrastructure;

/// <summary>The Rust libraries (and the C bundle for cross-language pipelines) these tests load, found through
/// <see cref="RepoLayout"/> (the one lookup of the build folder).</summary>
public static class RustArtifacts
{
    public const string JsonField = "org.nativeplugins.rust.json-field";
    public const string Dedup = "org.nativeplugins.rust.dedup";
    public const string PanicFixture = "org.nativeplugins.rust.fixture.panic";
    public const string CUpper = "org.nativeplugins.c.upper";

    /// <summary>libnp_rust_samples.so: json-field + dedup.</summary>
    public static string Samples => RepoLayout.Plugin("libnp_rust_samples.so");

    /// <summary>libnp_rust_fixture_panic.so: the panicking test plugin (a fixture, not a sample).</summary>
    public static string PanicLibrary => RepoLayout.Fixture("libnp_rust_fixture_panic.so");

    /// <summary>The C sample bundle (upper + grep), for cross-language pipelines.</summary>
    public static string CText => RepoLayout.Plugin("libnp_c_text.so");
}
