using System.Text;
using System.Text.Json;
using NativePlugins.Cli;
using NativePlugins.Cli.Infrastructure;
using NativePlugins.Host.Tests.Infrastructure;

namespace NativePlugins.Host.Tests.Discovery;

/// <summary><c>nplug list</c> scans out of process: a library that crashes, exits or hangs is listed as bad with its
/// reason and every other one is listed; <c>nplug manifest</c> writes the sidecar manifest it then uses.</summary>
public class ListCliTests
{
    private static (int Exit, string Out, string Err) Nplug(params string[] args)
    {
        using var output = new MemoryStream();
        var error = new StringWriter();
        int exit;
        using (var console = new CliConsole(new MemoryStream(), output, error)) exit = NplugCli.Run(args, console);
        return (exit, Encoding.UTF8.GetString(output.ToArray()), error.ToString());
    }

    private static DiscoveryFolder FolderWithScanFixtures()
    {
        var folder = new DiscoveryFolder();
        foreach (var f in new[] { "constructor_segfault", "entry_segfault", "entry_exit", "init_hang", "init_abort" })
            folder.Add(DiscoveryFolder.ScanFixture($"libnp_fixture_scan_{f}.so"));
        folder.Add(NativeArtifacts.CText);
        folder.Add(NativeArtifacts.CCounter);
        return folder;
    }

    [Theory]
    [InlineData(false)] // out of process is the default
    [InlineData(true)]  // and what --isolate asks for explicitly
    public void List_survives_libraries_that_crash_exit_or_hang_and_lists_the_others(bool explicitIsolate)
    {
        using var folder = FolderWithScanFixtures();
        string[] isolate = explicitIsolate ? ["--isolate"] : [];
        var (exit, stdout, stderr) = Nplug(["list", .. isolate, "--no-cache", "--scan-timeout", "2", folder.Libraries]);
        Assert.Equal(ExitCodes.PluginError, exit);
        Assert.Contains(Hosts.Upper, stdout);
        Assert.Contains(Hosts.Counter, stdout);
        var lines = stderr.Split('\n');
        Assert.Contains("ScanCrashed", Assert.Single(lines, l => l.Contains("constructor_segfault")));
        Assert.Contains("SIGSEGV", Assert.Single(lines, l => l.Contains("constructor_segfault")));
        Assert.Contains("ScanCrashed", Assert.Single(lines, l => l.Contains("entry_segfault")));
        Assert.Contains("SIGSEGV", Assert.Single(lines, l => l.Contains("entry_segfault")));
        Assert.Contains("ScanExited", Assert.Single(lines, l => l.Contains("entry_exit")));
        Assert.Contains("ScanTimedOut", Assert.Single(lines, l => l.Contains("init_hang")));
        Assert.Contains("SIGABRT", Assert.Single(lines, l => l.Contains("init_abort")));
        Assert.Contains("nplug: 5 file(s) refused", stderr);
        Assert.DoesNotContain("nplug: error:", stdout);
    }

    [Fact]
    public void List_refuses_isolate_together_with_in_process()
    {
        using var folder = new DiscoveryFolder();
        folder.Add(NativeArtifacts.CText);
        var (exit, stdout, stderr) = Nplug("list", "--isolate", "--in-process", folder.Libraries);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--isolate and --in-process exclude each other", stderr);
        Assert.Empty(stdout);
    }

    [Fact]
    public void List_json_reports_where_each_answer_came_from_and_a_second_run_scans_nothing()
    {
        using var folder = new DiscoveryFolder();
        folder.Add(NativeArtifacts.CText);
        folder.Add(DiscoveryFolder.ScanFixture("libnp_fixture_scan_init_abort.so"));
        using var first = JsonDocument.Parse(Nplug("list", "--json", folder.Libraries).Out);
        Assert.Equal(2, first.RootElement.GetProperty("discovery").GetProperty("scanned").GetInt32());
        Assert.Equal("ScanCrashed", Assert.Single(first.RootElement.GetProperty("errors").EnumerateArray()).GetProperty("reason").GetString());

        using var second = JsonDocument.Parse(Nplug("list", "--json", folder.Libraries).Out);
        var discovery = second.RootElement.GetProperty("discovery");
        Assert.Equal(0, discovery.GetProperty("scanned").GetInt32());
        Assert.Equal(0, discovery.GetProperty("scannerRuns").GetInt32());
        Assert.Equal(2, discovery.GetProperty("cacheHits").GetInt32());
        var lib = Assert.Single(second.RootElement.GetProperty("libraries").EnumerateArray());
        Assert.Equal("cache", lib.GetProperty("source").GetString());
        Assert.Equal("ScanCrashed", Assert.Single(second.RootElement.GetProperty("errors").EnumerateArray()).GetProperty("reason").GetString());
    }

    [Fact]
    public void Manifest_writes_a_sidecar_that_list_then_uses()
    {
        using var folder = new DiscoveryFolder();
        var lib = folder.Add(NativeArtifacts.CText);
        var (exit, stdout, _) = Nplug("manifest", lib);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains(lib + ".nplug.json", stdout);
        using var manifest = JsonDocument.Parse(File.ReadAllText(lib + ".nplug.json"));
        Assert.Equal(Hosting.Discovery.SidecarManifest.Sha256(lib), manifest.RootElement.GetProperty("sha256").GetString());

        using var listed = JsonDocument.Parse(Nplug("list", "--json", "--no-cache", folder.Libraries).Out);
        Assert.Equal("manifest", Assert.Single(listed.RootElement.GetProperty("libraries").EnumerateArray()).GetProperty("source").GetString());
        Assert.Equal(0, listed.RootElement.GetProperty("discovery").GetProperty("scannerRuns").GetInt32());
    }

    [Fact]
    public void Manifest_of_a_library_that_crashes_writes_nothing_and_fails()
    {
        using var folder = new DiscoveryFolder();
        var bad = folder.Add(DiscoveryFolder.ScanFixture("libnp_fixture_scan_init_abort.so"));
        var (exit, _, stderr) = Nplug("manifest", bad);
        Assert.Equal(ExitCodes.PluginError, exit);
        Assert.Contains("ScanCrashed", stderr);
        Assert.False(File.Exists(bad + ".nplug.json"));
    }

    [Fact]
    public void List_in_process_still_loads_into_nplug()
    {
        using var folder = new DiscoveryFolder();
        folder.Add(NativeArtifacts.CText);
        using var doc = JsonDocument.Parse(Nplug("list", "--json", "--in-process", folder.Libraries).Out);
        Assert.Equal("load", Assert.Single(doc.RootElement.GetProperty("libraries").EnumerateArray()).GetProperty("source").GetString());
        Assert.False(doc.RootElement.TryGetProperty("discovery", out _));
    }
}
