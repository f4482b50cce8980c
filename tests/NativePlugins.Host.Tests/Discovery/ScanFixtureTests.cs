using System.Text.Json;
using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;

namespace NativePlugins.Host.Tests.Discovery;

/// <summary>Libraries that crash, exit or hang while being loaded (fixtures.json "scan_fixtures") are each recorded
/// with their typed reason by the out-of-process scan, and every good library next to them is still listed.</summary>
public class ScanFixtureTests
{
    private static List<JsonElement> ScanFixtures()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepoLayout.RepoFile("native/fixtures/fixtures.json")));
        return doc.RootElement.GetProperty("scan_fixtures").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    [Fact]
    public void Every_scan_fixture_is_reported_with_its_reason_and_the_good_libraries_are_listed()
    {
        using var folder = new DiscoveryFolder();
        var fixtures = ScanFixtures();
        Assert.Contains(fixtures, f => f.GetProperty("scan_reason").GetString() == "ScanTimedOut");
        foreach (var f in fixtures) folder.Add(DiscoveryFolder.ScanFixture(f.GetProperty("file").GetString()!));
        // Good libraries before, between and after the bad ones in file-name order: each crash restarts the scanner.
        folder.Add(NativeArtifacts.CText, "liba_text.so");
        folder.Add(NativeArtifacts.CCounter, "libnp_fixture_scan_e_counter.so");
        folder.Add(RepoLayout.Fixture("libnp_fixture_good.so"), "libz_good.so");

        using var host = folder.Host(folder.Options(TimeSpan.FromSeconds(2)));
        var catalog = host.Discover([folder.Libraries]);

        foreach (var f in fixtures)
        {
            var path = folder.File(f.GetProperty("file").GetString()!);
            if (f.GetProperty("scan_reason").GetString() is { } reason)
            {
                var error = Assert.Single(catalog.Errors, e => e.FilePath == path);
                Assert.Equal(Enum.Parse<PluginLoadError>(reason), error.Reason);
                Assert.Contains(f.GetProperty("detail").GetString()!, error.Message);
                Assert.DoesNotContain('\n', error.Message);
            }
            else
            {
                var library = Assert.Single(catalog.Libraries, l => l.FilePath == path);
                Assert.Equal(f.GetProperty("plugins").EnumerateArray().Select(p => p.GetString()), library.Plugins.Select(p => p.Id));
            }
        }
        Assert.Equal(["liba_text.so", "libnp_fixture_scan_e_counter.so", "libnp_fixture_scan_stdout_noise.so", "libz_good.so"],
            catalog.Libraries.Select(l => l.FileName));
        var bad = fixtures.Count(f => f.GetProperty("scan_reason").ValueKind == JsonValueKind.String);
        Assert.Equal(bad, catalog.Errors.Count);
        // One run, plus one more after each library that ended the scanner.
        Assert.Equal(bad + 1, catalog.Statistics.ScannerRuns);
        Assert.Equal(catalog.Libraries.Count + catalog.Errors.Count, catalog.Statistics.Scanned);

        // Nothing was loaded into this process, and the good plugins can be created.
        Assert.Empty(host.Libraries);
        Assert.Equal(["X"], TestHosts.Run(host, "org.nativeplugins.c.upper", "", "x"));
        Assert.Single(host.Libraries);
    }

    [Fact]
    public void A_refusal_by_the_scanner_carries_a_typed_reason_and_the_c_hosts_message()
    {
        using var folder = new DiscoveryFolder();
        folder.Add(RepoLayout.Fixture("libnp_fixture_init_fails.so"));
        folder.Add(RepoLayout.Fixture("libnp_fixture_bad_id_pointer.so"));
        folder.Add(RepoLayout.Fixture("libnp_fixture_empty.so"));
        var catalog = folder.Discover();

        Assert.Equal(PluginLoadError.InitFailed, Assert.Single(catalog.Errors, e => e.FilePath.EndsWith("init_fails.so")).Reason);
        Assert.Contains("init fails on purpose", catalog.Errors.Single(e => e.FilePath.EndsWith("init_fails.so")).Message);
        Assert.Equal(PluginLoadError.InvalidPointer, catalog.Errors.Single(e => e.FilePath.EndsWith("bad_id_pointer.so")).Reason);
        // Checked before dlopen, in-process (no plugin code runs): this host's own precise reason, no scan.
        Assert.Equal(PluginLoadError.EmptyFile, catalog.Errors.Single(e => e.FilePath.EndsWith("empty.so")).Reason);
        Assert.Equal(2, catalog.Statistics.Scanned);
        Assert.Empty(catalog.Libraries);
    }

    [Fact]
    public void A_missing_scanner_is_a_typed_error_per_library_not_an_exception()
    {
        using var folder = new DiscoveryFolder();
        folder.Add(NativeArtifacts.CText);
        var catalog = folder.Discover(folder.Options() with { ScannerPath = folder.File("no-such-scanner") });
        var error = Assert.Single(catalog.Errors);
        Assert.Equal(PluginLoadError.ScanFailed, error.Reason);
        Assert.Contains("no-such-scanner", error.Message);
        // Not cached: the next discovery with a scanner scans it.
        var again = folder.Discover();
        Assert.Single(again.Libraries);
        Assert.Equal(1, again.Statistics.Scanned);
    }
}
