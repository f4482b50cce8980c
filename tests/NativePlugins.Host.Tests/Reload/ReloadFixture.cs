using NativePlugins.Hosting;
using NativePlugins.TestSupport;

namespace NativePlugins.Host.Tests.Reload;

/// <summary>A private folder holding one "library under development", <c>libnp_fixture_reload.so</c>, that tests
/// rebuild by copying a variant of the reload fixture over it (in place, as <c>cp</c> and most builds do), and a
/// hot-reloading host that loaded it.</summary>
internal sealed class ReloadFixture : IDisposable
{
    public const string PluginId = "org.nativeplugins.fixture.reload";

    /// <param name="isolation">Where the library runs: in the host (default) or in worker processes.</param>
    public ReloadFixture(string variant = "v1", PluginIsolation isolation = PluginIsolation.InProcess)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("nplug-reload-test-").FullName;
        FilePath = System.IO.Path.Combine(Directory, "libnp_fixture_reload.so");
        Install(variant);
        Host = new PluginHost(new PluginHostOptions
        {
            UseEnvironmentSearchPath = false,
            HotReload = true,
            Isolation = isolation,
            IsolationOptions = isolation == PluginIsolation.InProcess ? IsolationOptions.Default : Isolation.IsolatedHosts.Options(),
        });
        Library = Host.Load(FilePath);
    }

    public string Directory { get; }
    public string FilePath { get; }
    public PluginHost Host { get; }
    public PluginLibrary Library { get; }

    /// <summary>Rewrites the watched file with a variant: <c>v1</c>, <c>v2</c>, <c>init_fails</c>.</summary>
    public void Install(string variant) =>
        File.Copy(RepoLayout.Fixture($"reload/libnp_fixture_reload_{variant}.so"), FilePath, overwrite: true);

    /// <summary>Process + flush of fresh records through a new instance of the current version.</summary>
    public List<string> Run(params string[] records) => TestHosts.Run(Host, PluginId, "", records);

    public void Dispose()
    {
        Host.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
