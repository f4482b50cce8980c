using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using NativePlugins.Hosting.Discovery;

namespace NativePlugins.Host.Tests.Discovery;

/// <summary>A discovered library is loaded on the first creation of one of its plugins and held to what discovery
/// recorded; sidecar manifests replace the scan when their hash matches.</summary>
public class FirstUseTests
{
    private static void WriteManifest(string library, Func<ScanRecord, ScanRecord>? lie = null)
    {
        var record = ScanRecord.Read(System.Text.Json.JsonDocument.Parse(ScanJson(library)).RootElement, library)!;
        record = lie?.Invoke(record) ?? record;
        SidecarManifest.Write(library, record, SidecarManifest.Sha256(library)!, new FileInfo(library).Length);
    }

    /// <summary>The scanner's report line about one library.</summary>
    private static string ScanJson(string library)
    {
        var start = new System.Diagnostics.ProcessStartInfo(DiscoveryFolder.Scanner) { RedirectStandardOutput = true };
        start.ArgumentList.Add(library);
        using var p = System.Diagnostics.Process.Start(start)!;
        var lines = p.StandardOutput.ReadToEnd().Split('\n');
        p.WaitForExit();
        return lines.Single(l => l.StartsWith("{\"index\":0,"));
    }

    [Fact]
    public void Discovery_loads_nothing_and_the_first_create_loads_the_library()
    {
        using var folder = new DiscoveryFolder();
        folder.Add(NativeArtifacts.CText);
        folder.Add(NativeArtifacts.CCounter);
        using var host = folder.Host();
        var catalog = host.Discover([folder.Libraries]);
        Assert.Empty(host.Libraries);
        Assert.Equal(3, host.DiscoveredPlugins.Count);

        Assert.Equal(["X"], TestHosts.Run(host, "org.nativeplugins.c.upper", "", "x"));
        Assert.Equal(["libnp_c_text.so"], host.Libraries.Select(l => l.FileName));
        Assert.Equal(["org.nativeplugins.c.counter"], host.DiscoveredPlugins.Select(p => p.Id));
        using var pipeline = host.CreatePipeline([new PipelineStage("org.nativeplugins.c.grep", "pattern=a"), new PipelineStage("org.nativeplugins.c.counter")]);
        Assert.Equal(2, host.Libraries.Count);
        Assert.Throws<PluginNotFoundException>(() => host.CreateTransform("org.nowhere.none"));
        Assert.All(catalog.Libraries, l => Assert.Equal(DiscoverySource.Scan, l.Source));
    }

    [Fact]
    public void A_matching_manifest_is_used_without_running_the_library()
    {
        using var folder = new DiscoveryFolder();
        var lib = folder.Add(NativeArtifacts.CText);
        WriteManifest(lib);
        // No scanner at all: the manifest alone must serve.
        var options = folder.Options() with { ScannerPath = folder.File("no-scanner"), UseCache = false };
        using var host = folder.Host(options);
        var catalog = host.Discover([folder.Libraries]);
        var library = Assert.Single(catalog.Libraries);
        Assert.Equal(DiscoverySource.Manifest, library.Source);
        Assert.Equal(1, catalog.Statistics.ManifestsUsed);
        Assert.Equal(0, catalog.Statistics.ScannerRuns);
        Assert.Equal(["X"], TestHosts.Run(host, "org.nativeplugins.c.upper", "", "x"));
    }

    [Fact]
    public void A_stale_manifest_is_ignored_and_the_library_scanned()
    {
        using var folder = new DiscoveryFolder();
        var lib = folder.Add(NativeArtifacts.CText);
        WriteManifest(lib);
        File.AppendAllText(lib, "\0"); // other bytes than the manifest's hash
        var catalog = folder.Discover(folder.Options() with { UseCache = false });
        Assert.Equal(1, catalog.Statistics.StaleManifests);
        Assert.Equal(1, catalog.Statistics.Scanned);
        Assert.Equal(DiscoverySource.Scan, Assert.Single(catalog.Libraries).Source);
    }

    [Fact]
    public void A_lying_manifest_is_refused_at_first_use_and_the_library_unloaded()
    {
        using var folder = new DiscoveryFolder();
        var lib = folder.Add(NativeArtifacts.CText);
        WriteManifest(lib, r => r with
        {
            Plugins = [.. r.Plugins.Select(p => p.Id == "org.nativeplugins.c.upper" ? p with { Version = "9.9.9" } : p)],
        });
        using var host = folder.Host(folder.Options() with { UseCache = false });
        var catalog = host.Discover([folder.Libraries]);
        Assert.Equal("9.9.9", catalog.Plugins.Single(p => p.Id == "org.nativeplugins.c.upper").Version);

        var e = Assert.Throws<PluginLoadException>(() => host.CreateTransform("org.nativeplugins.c.upper"));
        Assert.Equal(PluginLoadError.DiscoveryMismatch, e.Reason);
        Assert.Contains("version: discovery recorded '9.9.9'", e.Message);
        Assert.Contains(".nplug.json", e.Message);
        Assert.Empty(host.Libraries);
        Assert.Throws<PluginNotFoundException>(() => host.CreateTransform("org.nativeplugins.c.upper"));
    }

    [Fact]
    public void What_the_scanner_records_of_every_sample_library_matches_the_in_process_load()
    {
        // C, Rust and C# (NativeAOT) libraries: the C host's view through the scanner and the .NET host's own
        // validation must agree field by field, or the first Create would throw DiscoveryMismatch.
        using var folder = new DiscoveryFolder();
        foreach (var file in Directory.GetFiles(RepoLayout.PluginDir, "*.so")) folder.Add(file);
        using var host = folder.Host(folder.Options() with { UseCache = false });
        var catalog = host.Discover([folder.Libraries]);
        Assert.Empty(catalog.Errors);
        Assert.Contains(catalog.Libraries, l => l.Sdk.StartsWith("nplug-rust", StringComparison.Ordinal));
        Assert.Contains(catalog.Libraries, l => l.Flags.HasFlag(LibraryFlags.NoUnload));
        foreach (var library in catalog.Libraries)
            Assert.Same(host.GetLibrary(library.Plugins[0].Id), host.GetLibrary(library.Plugins[^1].Id));
        Assert.Equal(catalog.Libraries.Count, host.Libraries.Count);
        Assert.Empty(host.DiscoveredPlugins);
    }
}
