namespace NativePlugins.PluginSdk.Tests.Infrastructure;

/// <summary>The C# plugins, fixtures and the C host these tests use, each in both build modes, found through
/// <see cref="RepoLayout"/> (the one lookup of the build folder).</summary>
internal static class BuildLayout
{
    /// <summary>&lt;build&gt;/bin/nplug-c-host, which must exist.</summary>
    public static string CHost => RepoLayout.Existing(Path.Combine(RepoLayout.BinDir, "nplug-c-host"));

    /// <summary>The sample plugins, each in both modes.</summary>
    public static IEnumerable<object[]> SampleLibraries() =>
        from name in new[] { "libnp_cs_regex.so", "libnp_cs_wordfreq.so" }
        from mode in new[] { "aot", "hosted" }
        select new object[] { mode, name };

    /// <summary>A sample plugin library of a mode ("aot" or "hosted"), which must exist.</summary>
    public static string Plugin(string mode, string file) =>
        RepoLayout.Existing(Path.Combine(mode == "aot" ? RepoLayout.PluginDir : RepoLayout.HostedPluginDir, file));

    /// <summary>A C# example library of a mode (native/hosted-shim/csharp-plugins.cmake: examples/, examples-hosted/),
    /// which must exist.</summary>
    public static string Example(string mode, string file) =>
        RepoLayout.Existing(Path.Combine(RepoLayout.BuildDir, mode == "aot" ? "examples" : "examples-hosted", file));

    /// <summary>A fixture library of a mode, which must exist.</summary>
    public static string Fixture(string mode, string file) =>
        RepoLayout.Existing(Path.Combine(mode == "aot" ? RepoLayout.FixtureDir : RepoLayout.HostedFixtureDir, file));
}
