using System.Text.Json;
using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Isolation.IsolatedHosts;

namespace NativePlugins.Host.Tests.Isolation;

/// <summary>Isolation changes where plugin code runs, not what it does: the demo pipeline (C, Rust and C# NativeAOT
/// plugins) gives byte-identical output in-process, per library and per instance; libraries load with the same
/// metadata; the refusal fixtures are refused, the good ones load.</summary>
public class IsolationEquivalenceTests
{
    private static readonly (string Plugin, string Config)[] DemoStages =
    [
        ("org.nativeplugins.c.grep", "pattern=\"level\":\"error\""),
        ("org.nativeplugins.rust.json-field", "field=msg"),
        ("org.nativeplugins.cs.regex", "pattern=\\s+(for|by)\\s.*$;replace="),
        ("org.nativeplugins.c.upper", "mode=simple"),
        ("org.nativeplugins.c.counter", "per_value=true"),
    ];

    private static List<byte[]> RunDemo(PluginIsolation isolation, int batch)
    {
        using var host = Isolated(isolation);
        var found = host.LoadDirectories([RepoLayout.PluginDir]);
        Assert.Empty(found.Errors);
        using var pipeline = host.CreatePipeline(DemoStages.Select(s => new PipelineStage(s.Plugin, s.Config)));
        Assert.All(pipeline.Stages, s => Assert.Equal(isolation, s.Isolation));
        var lines = File.ReadAllLines(RepoLayout.RepoFile("src/NativePlugins.Cli/demo/events.jsonl"));
        var output = new List<byte[]>();
        using var input = new RecordBuffer();
        foreach (var chunk in lines.Chunk(batch))
        {
            input.Clear();
            foreach (var l in chunk) input.Append(l);
            output.AddRange(pipeline.Process(input).ToArrayList());
        }
        output.AddRange(pipeline.Flush().ToArrayList());
        return output;
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1024)]
    public void The_demo_pipeline_gives_byte_identical_output_in_every_mode(int batch)
    {
        var reference = RunDemo(PluginIsolation.InProcess, batch);
        Assert.NotEmpty(reference);
        Assert.Equal(reference, RunDemo(PluginIsolation.ProcessPerLibrary, batch));
        Assert.Equal(reference, RunDemo(PluginIsolation.ProcessPerInstance, batch));
    }

    [Fact]
    public void A_library_loads_in_a_worker_with_the_metadata_it_has_in_process()
    {
        using var inProcess = Isolated(PluginIsolation.InProcess);
        using var isolated = Isolated();
        foreach (var file in Directory.GetFiles(RepoLayout.PluginDir, "*.so").Order())
        {
            var a = inProcess.Load(file);
            var b = isolated.Load(file);
            Assert.Equal(PluginIsolation.ProcessPerLibrary, b.Isolation);
            Assert.Equal(a.AgreedAbi, b.AgreedAbi);
            Assert.Equal(a.LibraryAbi, b.LibraryAbi);
            Assert.Equal(a.LayoutFingerprint, b.LayoutFingerprint);
            Assert.Equal(a.HasLayoutReport, b.HasLayoutReport);
            Assert.Equal(a.Sdk, b.Sdk);
            Assert.Equal(a.Flags, b.Flags);
            Assert.Equal(a.Plugins.Select(Describe), b.Plugins.Select(Describe));
            Assert.Equal(a.Plugins.Select(p => p.InterfaceDetails.Select(d => (d.Id, d.StructSize)).ToList()),
                b.Plugins.Select(p => p.InterfaceDetails.Select(d => (d.Id, d.StructSize)).ToList()));
            foreach (var p in a.Plugins.Where(p => p.IsTransform))
            {
                using var x = inProcess.CreateTransform(p.Id, DemoStages.FirstOrDefault(s => s.Plugin == p.Id).Config ?? "");
                using var y = isolated.CreateTransform(p.Id, DemoStages.FirstOrDefault(s => s.Plugin == p.Id).Config ?? "");
                Assert.Equal(x.SupportsStats, y.SupportsStats);
            }
        }
    }

    private static string Describe(PluginInfo p) =>
        $"{p.Id}|{p.Name}|{p.Version}|{p.Description}|{p.Vendor}|{string.Join(",", p.Interfaces)}|{p.Threading}|{p.FilePath}|{p.AbiVersion}";

    [Fact]
    public void Every_refusal_fixture_is_refused_in_a_worker_and_every_good_one_loads()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoLayout.FixtureDir, "fixtures.json")));
        foreach (var f in doc.RootElement.GetProperty("fixtures").EnumerateArray())
        {
            var file = f.GetProperty("file").GetString()!;
            using var host = Isolated();
            if (f.TryGetProperty("after", out var after))
                foreach (var first in after.EnumerateArray()) host.Load(RepoLayout.Fixture(first.GetString()!));
            var path = RepoLayout.Fixture(file);
            bool loaded = host.TryLoad(path, out var lib, out var error);
            if (f.GetProperty("expect").GetString() == "refuse")
            {
                Assert.False(loaded, $"{file} should be refused");
                Assert.Equal(path, error!.FilePath);
                Assert.NotEqual(PluginLoadError.WorkerCrashed, error.Reason);
                Assert.DoesNotContain('\n', error.Message);
            }
            else
            {
                Assert.True(loaded, $"{file} should load: {error?.Message}");
                Assert.Equal(f.GetProperty("plugins").EnumerateArray().Select(p => p.GetString()), lib!.Plugins.Select(p => p.Id));
                Assert.Equal((uint)f.GetProperty("agreed_minor").GetInt32(), lib.AgreedAbi.Minor);
                using var instance = host.CreateTransform(lib.Plugins[0].Id);
                Assert.Equal(f.GetProperty("has_stats").GetBoolean(), instance.SupportsStats);
                Assert.Equal(["r"], NativePlugins.TestSupport.TestHosts.Run(instance, "r"));
            }
        }
    }
}
