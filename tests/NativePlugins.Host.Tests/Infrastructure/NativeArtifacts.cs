using System.Reflection;

namespace NativePlugins.Host.Tests.Infrastructure;

/// <summary>Where the native build put the sample plugins and the broken fixtures (embedded at build time through
/// NplugEmbedBuildDir; NPLUG_BUILD_DIR at test time wins, so a private build can be tested).</summary>
public static class NativeArtifacts
{
    public static string BuildDir { get; } = Resolve();

    public static string PluginDir => Path.Combine(BuildDir, "plugins");

    public static string FixtureDir => Path.Combine(BuildDir, "fixtures");

    /// <summary>The C# sample plugins built hosted (the shim plus a managed payload).</summary>
    public static string HostedPluginDir => Path.Combine(BuildDir, "plugins-hosted");

    public static string RepoRoot { get; } = Metadata("NplugRepoRoot") ?? throw new InvalidOperationException("no NplugRepoRoot");

    public static string Plugin(string fileName) => Existing(Path.Combine(PluginDir, fileName));

    public static string Fixture(string fileName) => Existing(Path.Combine(FixtureDir, fileName));

    public static string HostedPlugin(string fileName) => Existing(Path.Combine(HostedPluginDir, fileName));

    /// <summary>The C sample bundle (upper + grep).</summary>
    public static string CText => Plugin("libnp_c_text.so");

    /// <summary>The C counter.</summary>
    public static string CCounter => Plugin("libnp_c_counter.so");

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"native artifact missing (build the native side): {path}", path);

    private static string Resolve()
    {
        var env = Environment.GetEnvironmentVariable("NPLUG_BUILD_DIR");
        if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
        return Metadata("NplugNativeBuildDir") ?? throw new InvalidOperationException("no NplugNativeBuildDir metadata");
    }

    private static string? Metadata(string key) => typeof(NativeArtifacts).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
}
