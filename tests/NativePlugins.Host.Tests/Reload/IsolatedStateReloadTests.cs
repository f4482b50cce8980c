using NativePlugins.Host.Tests.Isolation;
using NativePlugins.Hosting;
using NativePlugins.TestSupport;

namespace NativePlugins.Host.Tests.Reload;

/// <summary>np.state/1 hand-over on the hot reload of an isolated library: the old version's instance is saved in its
/// worker and the bytes restored into the successor in the new version's worker, so the stateful fixture's count and
/// held-back record carry over exactly as in-process (<see cref="StateReloadTests"/>); a new version without
/// np.state/1 is flushed into the stream instead, and its numbering starts over, which is what the hand-over tests
/// would see if the hand-over did not happen.</summary>
[Collection(ReloadCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class IsolatedStateReloadTests
{
    private const string PluginId = "org.nativeplugins.fixture.stateful";

    /// <summary>A private copy of the stateful fixture under an isolated, hot-reloading host.</summary>
    private sealed class IsolatedStatefulLibrary : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("nplug-isostate-test-").FullName;

        public IsolatedStatefulLibrary(PluginIsolation mode)
        {
            FilePath = Path.Combine(_directory, "libnp_fixture_stateful.so");
            Install("v1");
            Host = new PluginHost(new PluginHostOptions
            {
                UseEnvironmentSearchPath = false,
                HotReload = true,
                Isolation = mode,
                IsolationOptions = IsolatedHosts.Options(),
            });
            Library = Host.Load(FilePath);
            Host.ReloadFailed += (_, e) => Failures.Add(e);
        }

        public string FilePath { get; }
        public PluginHost Host { get; }
        public PluginLibrary Library { get; set; }
        public List<PluginReloadFailedEventArgs> Failures { get; } = [];

        public void Install(string variant) =>
            File.Copy(RepoLayout.Fixture($"reload/libnp_fixture_stateful_{variant}.so"), FilePath, overwrite: true);

        public void Dispose()
        {
            Host.Dispose();
            try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        }
    }

    [Theory]
    [InlineData(PluginIsolation.ProcessPerLibrary)]
    [InlineData(PluginIsolation.ProcessPerInstance)]
    public void An_isolated_reload_under_a_pipeline_carries_the_count_and_the_held_back_record_to_the_new_workers(
        PluginIsolation mode)
    {
        using var f = new IsolatedStatefulLibrary(mode);
        using var pipeline = f.Host.CreatePipeline([new PipelineStage(PluginId)]);
        var old = pipeline.Stages[0];
        Assert.Equal(mode, old.Isolation);
        Assert.True(old.SupportsState);
        int oldWorker = old.WorkerProcessId;
        using var first = TestHosts.Buffer("a", "b");
        Assert.Equal(["v1:1:a"], pipeline.Process(first).ToStringList()); // "b" (record 2) is held back

        f.Install("v2");
        f.Host.Reload(f.Library);
        using var second = TestHosts.Buffer("c", "d");
        // v2, in a worker of its own, emits v1's held-back record once with v1's number and counts on.
        Assert.Equal(["v2:2:b", "v2:3:c"], pipeline.Process(second).ToStringList());
        Assert.Equal(["v2:4:d"], pipeline.Flush().ToStringList());

        var successor = pipeline.Stages[0];
        Assert.True(old.IsDisposed);
        Assert.Equal(mode, successor.Isolation);
        Assert.Equal("2.0.0", successor.Plugin.Version);
        Assert.NotEqual(oldWorker, successor.WorkerProcessId);
        Assert.NotEqual(Environment.ProcessId, successor.WorkerProcessId);
        Assert.Empty(f.Failures);
        Assert.Empty(f.Host.RetiredLibraries); // the old version's worker ended with its instance
    }

    [Fact]
    public void Reloads_under_running_multi_threaded_isolated_pipelines_keep_every_streams_numbering_whole()
    {
        const int Threads = 2, PerBatch = 5, Reloads = 4;
        using var f = new IsolatedStatefulLibrary(PluginIsolation.ProcessPerLibrary);
        var outputs = new List<string>[Threads];
        var sent = new List<string>[Threads];
        var failures = StreamingReloads.Run(Threads, Reloads, (t, running, batchDone) =>
        {
            outputs[t] = [];
            sent[t] = [];
            using var pipeline = f.Host.CreatePipeline([new PipelineStage(PluginId)]);
            using var input = new RecordBuffer();
            for (int b = 0; running(); b++)
            {
                input.Clear();
                for (int i = 0; i < PerBatch; i++)
                {
                    input.Append($"{t}.{b}.{i}");
                    sent[t].Add($"{t}.{b}.{i}");
                }
                outputs[t].AddRange(pipeline.Process(input).ToStringList());
                batchDone();
            }
            outputs[t].AddRange(pipeline.Flush().ToStringList());
        }, r =>
        {
            f.Install(r % 2 == 0 ? "v2" : "v1");
            f.Library = f.Host.Reload(f.Library);
        });

        Assert.Empty(failures);
        Assert.Empty(f.Failures);
        for (int t = 0; t < Threads; t++)
        {
            var parts = outputs[t].Select(r => r.Split(':', 3)).ToList();
            Assert.Equal(sent[t], parts.Select(p => p[2]));
            Assert.Equal(Enumerable.Range(1, sent[t].Count).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                parts.Select(p => p[1]));
            Assert.True(parts.Select(p => p[0]).Distinct().Count() == 2, $"thread {t} ran on both versions");
        }
        Assert.Empty(f.Host.RetiredLibraries);
    }

    [Fact]
    public void Without_np_state_in_the_new_version_the_old_isolated_instance_is_flushed_and_the_count_starts_over()
    {
        using var f = new IsolatedStatefulLibrary(PluginIsolation.ProcessPerLibrary);
        using var pipeline = f.Host.CreatePipeline([new PipelineStage(PluginId)]);
        using var first = TestHosts.Buffer("a", "b");
        Assert.Equal(["v1:1:a"], pipeline.Process(first).ToStringList());

        f.Install("nostate");
        f.Host.Reload(f.Library);
        using (var probe = f.Host.CreateTransform(PluginId)) Assert.False(probe.SupportsState);
        using var second = TestHosts.Buffer("c", "d");
        // v1 flushes what it held back into the stream; version 4 starts a stream of its own.
        Assert.Equal(["v1:2:b", "v4:1:c"], pipeline.Process(second).ToStringList());
        Assert.Empty(f.Failures);
    }
}
