namespace NativePlugins.Host.Tests.Infrastructure;

/// <summary>The C libraries these tests load, found through <see cref="RepoLayout"/> (the one lookup of the build folder).</summary>
public static class NativeArtifacts
{
    /// <summary>A C# sample plugin built hosted (the shim plus a managed payload), which must exist.</summary>
    public static string HostedPlugin(string fileName) =>
        RepoLayout.Existing(Path.Combine(RepoLayout.BuildDir, "plugins-hosted", fileName));

    /// <summary>The C sample bundle (upper + grep).</summary>
    public static string CText => RepoLayout.Plugin("libnp_c_text.so");

    /// <summary>The C counter.</summary>
    public static string CCounter => RepoLayout.Plugin("libnp_c_counter.so");
}
