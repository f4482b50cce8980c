using System.Reflection;

namespace NativePlugins.PluginSdk.Tests.Infrastructure;

/// <summary>Where the native build put the C# plugins, fixtures and the C host (the CMake build folder this test
/// assembly was built against: NplugNativeBuildDir, overridable with NPLUG_BUILD_DIR at run time).</summary>
internal static class BuildLayout
{
    public static string BuildDir { get; } = Find();

    public static string PluginsDir => Path.Combine(BuildDir, "plugins");
    public static string HostedPluginsDir => Path.Combine(BuildDir, "plugins-hosted");
    public static string FixturesDir => Path.Combine(BuildDir, "fixtures");
    public static string HostedFixturesDir => Path.Combine(BuildDir, "fixtures-hosted");
    public static string CHost => Path.Combine(BuildDir, "bin", "nplug-c-host");

    /// <summary>The sample plugins, each in both modes.</summary>
    public static IEnumerable<object[]> SampleLibraries() =>
        from name in new[] { "libnp_cs_regex.so", "libnp_cs_wordfreq.so" }
        from mode in new[] { "aot", "hosted" }
        select new object[] { mode, name };

    /// <summary>The folder of a mode's sample plugins.</summary>
    public static string Plugin(string mode, string file) =>
        Require(Path.Combine(mode == "aot" ? PluginsDir : HostedPluginsDir, file));

    /// <summary>A fixture library of a mode.</summary>
    public static string Fixture(string mode, string file) =>
        Require(Path.Combine(mode == "aot" ? FixturesDir : HostedFixturesDir, file));

    public static string Require(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"{path} is missing: build the native side first (cmake --build {BuildDir}, target np_cs_plugins)", path);
        return path;
    }

    private static string Find()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("NPLUG_BUILD_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment))
            return Path.GetFullPath(fromEnvironment);
        string? embedded = typeof(BuildLayout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "NplugNativeBuildDir")?.Value;
        return Path.GetFullPath(embedded ?? throw new InvalidOperationException("NplugNativeBuildDir metadata is missing"));
    }
}
