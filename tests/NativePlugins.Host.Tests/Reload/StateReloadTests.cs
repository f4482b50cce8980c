using NativePlugins.Hosting;
using NativePlugins.Interop;
using NativePlugins.TestSupport;

namespace NativePlugins.Host.Tests.Reload;

/// <summary>np.state/1 (ABI 1.3) on hot reload: a pipeline stage whose old and new versions both offer it carries
/// its state to the successor instead of flushing (the stateful fixture numbers the records of a stream and holds the
/// last one of each batch back, so a reset, a loss or a duplicate shows in the output); a restore the new version
/// refuses leaves the stage on the old version and raises ReloadFailed; a version without it is flushed as before.</summary>
[Collection(ReloadCollection.Name)]
public class StateReloadTests
{
    private const string PluginId = "org.nativeplugins.fixture.stateful";

    /// <summary>A private copy of the stateful fixture that tests overwrite with another variant, and a hot-reloading
    /// host that loaded it.</summary>
    private sealed class StatefulLibrary : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("nplug-state-test-").FullName;

        public StatefulLibrary(uint? abiMinor = null)
        {
            FilePath = Path.Combine(_directory, "libnp_fixture_stateful.so");
            Install("v1");
            var options = new PluginHostOptions { UseEnvironmentSearchPath = false, HotReload = true };
            if (abiMinor is { } m) options.AbiMinor = m;
            Host = new PluginHost(options);
            Library = Host.Load(FilePath);
            Host.ReloadFailed += (_, e) => Failures.Add(e);
        }

        public string FilePath { get; }
        public PluginHost Host { get; }
        public PluginLibrary Library { get; }
        public List<PluginReloadFailedEventArgs> Failures { get; } = [];

        /// <summary><c>v1</c>, <c>v2</c> (same state format), <c>refuses</c> (another format), <c>nostate</c>.</summary>
        public void Install(string variant) =>
            File.Copy(RepoLayout.Fixture($"reload/libnp_fixture_stateful_{variant}.so"), FilePath, overwrite: true);

        public void Dispose()
        {
            Host.Dispose();
            try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void A_reload_under_a_running_pipeline_carries_the_count_and_the_held_back_record_to_the_new_version()
    {
        using var f = new StatefulLibrary();
        using var pipeline = f.Host.CreatePipeline([new PipelineStage(PluginId)]);
        var old = pipeline.Stages[0];
        Assert.True(old.SupportsState);
        using var first = TestHosts.Buffer("a", "b");
        Assert.Equal(["v1:1:a"], pipeline.Process(first).ToStringList()); // "b" (record 2) is held back

        f.Install("v2");
        f.Host.Reload(f.Library);
        using var second = TestHosts.Buffer("c", "d");
        // v2 emits v1's held-back record once, with v1's number, and counts on: nothing reset, lost or doubled.
        Assert.Equal(["v2:2:b", "v2:3:c"], pipeline.Process(second).ToStringList());
        Assert.Equal(["v2:4:d"], pipeline.Flush().ToStringList());

        Assert.True(old.IsDisposed);
        Assert.Equal("2.0.0", pipeline.Stages[0].Plugin.Version);
        Assert.Equal(4, pipeline.Stats[0].RecordsIn);
        Assert.Equal(4, pipeline.Stats[0].RecordsOut);
        Assert.Empty(f.Failures);
    }

    [Fact]
    public void Reloads_under_running_multi_threaded_pipelines_keep_every_streams_numbering_whole()
    {
        const int Threads = 3, PerBatch = 5, Reloads = 10;
        using var f = new StatefulLibrary();
        var outputs = new List<string>[Threads];
        var sent = new List<string>[Threads];
        var library = f.Library;
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
            library = f.Host.Reload(library);
        });

        Assert.Empty(failures);
        Assert.Empty(f.Failures);
        for (int t = 0; t < Threads; t++)
        {
            // "v<version>:<n>:<record>": n runs 1, 2, 3, ... over the whole stream, across every switch, and the
            // records come out exactly as they went in: none lost, none twice, none renumbered by a reset.
            var parts = outputs[t].Select(r => r.Split(':', 3)).ToList();
            Assert.Equal(sent[t], parts.Select(p => p[2]));
            Assert.Equal(Enumerable.Range(1, sent[t].Count).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                parts.Select(p => p[1]));
            Assert.True(parts.Select(p => p[0]).Distinct().Count() == 2, $"thread {t} ran on both versions");
        }
        Assert.Empty(f.Host.RetiredLibraries); // every old version drained and unloaded
    }

    [Fact]
    public void A_new_version_that_refuses_the_state_leaves_the_stage_on_the_old_one_and_raises_ReloadFailed()
    {
        using var f = new StatefulLibrary();
        using var pipeline = f.Host.CreatePipeline([new PipelineStage(PluginId)]);
        var old = pipeline.Stages[0];
        using var first = TestHosts.Buffer("a", "b");
        pipeline.Process(first);

        f.Install("refuses");
        f.Host.Reload(f.Library); // the library itself loads and initializes: new instances are version 3
        using var second = TestHosts.Buffer("c", "d");
        Assert.Equal(["v1:2:b", "v1:3:c"], pipeline.Process(second).ToStringList()); // v1 goes on, count intact

        Assert.Same(old, pipeline.Stages[0]);
        var failure = Assert.Single(f.Failures);
        Assert.Equal(PluginLoadError.StateHandOverFailed, failure.Error.Reason);
        Assert.Equal(PluginId, failure.Error.PluginId);
        Assert.Contains("restore failed", failure.Error.Message);
        Assert.Contains("not a 'cnt2' state", failure.Error.Message); // the plugin's own reason
        var call = Assert.IsType<PluginCallException>(failure.Error.InnerException);
        Assert.Equal(NpAbi.NP_ERR_INPUT, call.Status);
        Assert.Equal("1.0.0", failure.Current.Plugins[0].Version);

        // Not retried on every batch: the stage stays on v1 until the next reload.
        using var third = TestHosts.Buffer("e");
        Assert.Equal(["v1:4:d"], pipeline.Process(third).ToStringList());
        Assert.Single(f.Failures);
        Assert.Equal(["v1:5:e"], pipeline.Flush().ToStringList());
    }

    [Fact]
    public void A_new_version_without_np_state_gets_the_old_instance_flushed_into_the_stream()
    {
        using var f = new StatefulLibrary();
        using var pipeline = f.Host.CreatePipeline([new PipelineStage(PluginId)]);
        using var first = TestHosts.Buffer("a", "b");
        pipeline.Process(first);

        f.Install("nostate");
        f.Host.Reload(f.Library);
        Assert.False(f.Host.CreateTransform(PluginId).SupportsState);
        using var second = TestHosts.Buffer("c", "d");
        // v1 is flushed (its held-back record comes out once), v4 starts a stream of its own.
        Assert.Equal(["v1:2:b", "v4:1:c"], pipeline.Process(second).ToStringList());
        Assert.Equal(["v4:2:d"], pipeline.Flush().ToStringList());
        Assert.Empty(f.Failures);
    }

    [Fact]
    public void SaveState_and_RestoreState_move_a_stream_into_a_fresh_instance()
    {
        using var f = new StatefulLibrary();
        using var a = f.Host.CreateTransform(PluginId);
        using var input = TestHosts.Buffer("x", "y", "z");
        using var output = new RecordBuffer();
        a.Process(input, output);
        var saved = a.SaveState();
        Assert.Equal(saved, a.SaveState()); // save does not change the instance

        using var b = f.Host.CreateTransform(PluginId);
        b.RestoreState(saved);
        output.Clear();
        b.Flush(output);
        Assert.Equal(["v1:3:z"], output.ToStringList());
        output.Clear();
        a.Flush(output);
        Assert.Equal(["v1:3:z"], output.ToStringList()); // the saved instance still holds its own copy
    }

    [Fact]
    public void A_blob_the_plugin_does_not_understand_is_refused_with_NP_ERR_INPUT_and_the_instance_stays_usable()
    {
        using var f = new StatefulLibrary();
        using var instance = f.Host.CreateTransform(PluginId);
        var e = Assert.Throws<PluginCallException>(() => instance.RestoreState("garbage, not a state"u8));
        Assert.Equal(NpAbi.NP_ERR_INPUT, e.Status);
        Assert.Equal("restore", e.Operation);
        Assert.Contains("not a 'cnt1' state", e.Message);
        Assert.False(instance.IsPoisoned);
        Assert.Equal(["v1:1:p", "v1:2:q"], TestHosts.Run(instance, "p", "q"));
    }

    [Fact]
    public void A_restore_into_an_instance_with_a_stream_open_is_refused_with_NP_ERR_STATE()
    {
        using var f = new StatefulLibrary();
        using var instance = f.Host.CreateTransform(PluginId);
        var empty = instance.SaveState();
        using var input = TestHosts.Buffer("a");
        using var output = new RecordBuffer();
        instance.Process(input, output);
        var e = Assert.Throws<PluginCallException>(() => instance.RestoreState(empty));
        Assert.Equal(NpAbi.NP_ERR_STATE, e.Status);
    }

    [Fact]
    public void Plugins_without_np_state_and_hosts_below_ABI_1_3_do_not_offer_it()
    {
        using var f = new StatefulLibrary(abiMinor: 2);
        Assert.Equal(new AbiVersion(1, 2), f.Library.AgreedAbi);
        Assert.Contains(NpAbi.NP_STATE_ID_STRING, f.Library.Plugins[0].Interfaces); // listed, never called
        using var instance = f.Host.CreateTransform(PluginId);
        Assert.False(instance.SupportsState);
        Assert.Throws<NotSupportedException>(() => instance.SaveState());

        using var reload = new ReloadFixture();
        using var plain = reload.Host.CreateTransform(ReloadFixture.PluginId);
        Assert.False(plain.SupportsState);
    }
}
