using System.Text;
using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Isolation.IsolatedHosts;

namespace NativePlugins.Host.Tests.Isolation;

/// <summary>Consecutive pipeline stages in one worker run as one chain request (PROCESS_CHAIN / FLUSH_CHAIN): one
/// round trip per batch instead of one per stage, with the output, the per-stage stats, the typed errors naming
/// the failing stage, and the crash and restart behaviour of one call per stage.</summary>
public class IsolationChainTests
{
    // grep and upper come from one library (libnp_c_text.so), the counter from another.
    private static readonly PipelineStage[] TextStages =
        [new(Hosts.Grep, "pattern=x"), new(Hosts.Upper, "validate=true"), new(Hosts.Grep, "pattern=X")];

    private static PluginHost TextHost(PluginIsolation isolation)
    {
        var host = Isolated(isolation);
        host.Load(NativeArtifacts.CText);
        host.Load(NativeArtifacts.CCounter);
        return host;
    }

    private static List<string> Run(Pipeline pipeline, params string[][] batches)
    {
        var output = new List<string>();
        using var input = new RecordBuffer();
        foreach (var batch in batches)
        {
            input.Clear();
            foreach (var r in batch) input.Append(r);
            output.AddRange(pipeline.Process(input).ToArrayList().Select(b => Encoding.UTF8.GetString(b)));
        }
        output.AddRange(pipeline.Flush().ToArrayList().Select(b => Encoding.UTF8.GetString(b)));
        return output;
    }

    private static readonly string[][] Batches = [["ax", "b", "cx"], [], ["xx", "y"], ["zx"]];

    [Fact]
    public void Stages_of_one_library_run_as_one_request_per_batch_with_the_in_process_output_and_stats()
    {
        using var reference = TextHost(PluginIsolation.InProcess);
        using var expectedPipeline = reference.CreatePipeline([.. TextStages, new(Hosts.Counter, "")]);
        var expected = Run(expectedPipeline, Batches);
        Assert.Equal(["records=4 bytes=8"], expected); // AX, CX, XX, ZX reached the counter

        using var host = TextHost(PluginIsolation.ProcessPerLibrary);
        using var pipeline = host.CreatePipeline([.. TextStages, new(Hosts.Counter, "")], measureTime: true);
        var first = pipeline.Stages[0].IsolatedBackend!;
        ulong before = first.WorkerRequestsServed;
        using (var one = TestHostsBuffer("ax"))
            pipeline.Process(one);
        Assert.Equal(1ul, first.WorkerRequestsServed - before); // three stages, one round trip
        pipeline.Flush();

        using var fresh = host.CreatePipeline([.. TextStages, new(Hosts.Counter, "")], measureTime: true);
        Assert.Equal(expected, Run(fresh, Batches));
        for (int i = 0; i < fresh.Stats.Count; i++)
        {
            var (e, a) = (expectedPipeline.Stats[i], fresh.Stats[i]);
            Assert.Equal((e.RecordsIn, e.RecordsOut, e.BytesIn, e.BytesOut, e.Calls), (a.RecordsIn, a.RecordsOut, a.BytesIn, a.BytesOut, a.Calls));
        }
        Assert.True(fresh.Stats[1].Elapsed > TimeSpan.Zero, "the worker timed the chained stage");
    }

    private static RecordBuffer TestHostsBuffer(params string[] records) => NativePlugins.TestSupport.TestHosts.Buffer(records);

    [Fact]
    public void A_failing_stage_inside_a_chain_is_that_stages_typed_error_with_the_in_process_words()
    {
        PluginCallException Fail(PluginIsolation isolation)
        {
            using var host = TextHost(isolation);
            using var pipeline = host.CreatePipeline(TextStages);
            using var input = new RecordBuffer();
            input.Append("ok x");
            input.Append([0x78, 0xff, 0xfe]); // "x" then bytes that are not UTF-8: grep keeps it, upper refuses it
            var e = Assert.ThrowsAny<PluginCallException>(() => pipeline.Process(input));
            // The pipeline keeps working after a plugin's failure (no restart: nothing crashed).
            Assert.Equal(["OK X"], Run(pipeline, [["ok x"]]));
            Assert.Equal(0, pipeline.Stages[1].RestartCount);
            return e;
        }
        var expected = Fail(PluginIsolation.InProcess);
        var actual = Fail(PluginIsolation.ProcessPerLibrary);
        Assert.IsNotType<PluginCrashedException>(actual);
        Assert.Equal(Hosts.Upper, actual.PluginId);
        Assert.Equal("process", actual.Operation);
        Assert.Equal(expected.Message, actual.Message);
    }

    [Fact]
    public void A_crash_inside_a_chain_hands_back_the_chains_input_and_every_stage_restarts()
    {
        using var host = Isolated(PluginIsolation.ProcessPerLibrary);
        var file = Fixture("segv");
        host.Load(file);
        using var pipeline = host.CreatePipeline([new PipelineStage(Segv), new PipelineStage(Segv)]);
        Assert.Equal(["a"], Run(pipeline, [["a"]]));
        using var input = TestHostsBuffer("b", "segv", "c");
        var e = Assert.Throws<PluginCrashedException>(() => pipeline.Process(input));
        Assert.Equal(Segv, e.PluginId);
        Assert.Equal(file, e.FilePath);
        Assert.Equal("process", e.Operation);
        Assert.Equal("SIGSEGV", e.SignalName);
        Assert.Equal(["b", "segv", "c"], e.UnprocessedInput.Select(r => Encoding.UTF8.GetString(r)));
        Assert.DoesNotContain('\n', e.Message);
        // Both stages lost their worker: both are recreated at the next batch, which runs as a chain again.
        Assert.Equal(["d", "e"], Run(pipeline, [["d"], ["e"]]));
        Assert.All(pipeline.Stages, s => Assert.Equal(1, s.RestartCount));
        Assert.Equal(pipeline.Stages[0].WorkerProcessId, pipeline.Stages[1].WorkerProcessId);
    }

    [Fact]
    public void Stages_in_different_workers_still_run_one_call_each()
    {
        using var reference = TextHost(PluginIsolation.InProcess);
        using var expectedPipeline = reference.CreatePipeline(TextStages);
        using var host = TextHost(PluginIsolation.ProcessPerInstance);
        using var pipeline = host.CreatePipeline(TextStages);
        Assert.Equal(3, pipeline.Stages.Select(s => s.WorkerProcessId).Distinct().Count());
        Assert.Equal(Run(expectedPipeline, Batches), Run(pipeline, Batches));
    }

    [Fact]
    public void A_hang_inside_a_chain_misses_its_deadline_and_the_pipeline_runs_again()
    {
        var deadline = TimeSpan.FromMilliseconds(300);
        using var host = Isolated(options: Options() with { CallTimeout = deadline });
        var file = Fixture("spin");
        host.Load(file);
        using var pipeline = host.CreatePipeline([new PipelineStage(Spin), new PipelineStage(Spin)]);
        int pid = pipeline.Stages[0].WorkerProcessId;
        using var input = TestHostsBuffer("spin");
        var e = Assert.Throws<PluginTimeoutException>(() => pipeline.Process(input));
        Assert.Equal(Spin, e.PluginId);
        Assert.Equal(deadline, e.Deadline);
        Assert.Equal(["spin"], e.UnprocessedInput.Select(r => Encoding.UTF8.GetString(r)));
        Assert.False(Directory.Exists($"/proc/{pid}"), "the killed worker was reaped");
        Assert.Equal(["fine"], Run(pipeline, [["fine"]]));
    }

    [Fact]
    public void A_run_of_more_stages_than_one_chain_holds_is_sent_as_several_chains()
    {
        var stages = Enumerable.Range(0, 20).Select(i => new PipelineStage(Hosts.Grep, "pattern=x")).ToArray();
        using var reference = TextHost(PluginIsolation.InProcess);
        using var expectedPipeline = reference.CreatePipeline(stages);
        using var host = TextHost(PluginIsolation.ProcessPerLibrary);
        using var pipeline = host.CreatePipeline(stages);
        var first = pipeline.Stages[0].IsolatedBackend!;
        ulong before = first.WorkerRequestsServed;
        Assert.Equal(Run(expectedPipeline, Batches), Run(pipeline, Batches));
        // 4 batches and the flush, each as a chain of 16 stages and one of 4.
        Assert.Equal(10ul, first.WorkerRequestsServed - before);
    }

    [Fact]
    public void A_chained_pipeline_follows_a_hot_reload_at_a_batch_boundary_as_in_process()
    {
        List<string> Scenario(PluginIsolation isolation)
        {
            var dir = Directory.CreateTempSubdirectory("nplug-chain-reload-").FullName;
            try
            {
                var file = Path.Combine(dir, "libnp_fixture_reload.so");
                File.Copy(RepoLayout.Fixture("reload/libnp_fixture_reload_v1.so"), file);
                using var host = new PluginHost(new PluginHostOptions
                {
                    UseEnvironmentSearchPath = false,
                    HotReload = true,
                    Isolation = isolation,
                    IsolationOptions = Options(),
                });
                var library = host.Load(file);
                const string id = "org.nativeplugins.fixture.reload";
                using var pipeline = host.CreatePipeline([new PipelineStage(id), new PipelineStage(id)]);
                var output = new List<string>();
                using var first = TestHostsBuffer("c", "d");
                output.AddRange(pipeline.Process(first).ToArrayList().Select(b => Encoding.UTF8.GetString(b)));
                // In place, as cp and most builds write: the worker maps a shadow copy, so v1 keeps running.
                File.Copy(RepoLayout.Fixture("reload/libnp_fixture_reload_v2.so"), file, overwrite: true);
                var next = host.Reload(library);
                Assert.Equal(isolation, next.Isolation); // a reload never moves a library into the host
                using var second = TestHostsBuffer("e", "f");
                output.AddRange(pipeline.Process(second).ToArrayList().Select(b => Encoding.UTF8.GetString(b)));
                output.AddRange(pipeline.Flush().ToArrayList().Select(b => Encoding.UTF8.GetString(b)));
                Assert.All(pipeline.Stages, s => Assert.Equal("2.0.0", s.Plugin.Version));
                Assert.All(pipeline.Stages, s => Assert.Equal(isolation, s.Isolation));
                output.Add($"records in: {string.Join(",", pipeline.Stats.Select(x => x.RecordsIn))}");
                return output;
            }
            finally
            {
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
            }
        }
        var expected = Scenario(PluginIsolation.InProcess);
        // v1 held "d" back in each stage: it reaches the output through the retired instances' flush, ahead of v2's.
        Assert.Equal(["v1:v1:c", "v2:v1:d", "v2:v2:e", "v2:v2:f", "records in: 4,4"], expected);
        Assert.Equal(expected, Scenario(PluginIsolation.ProcessPerLibrary));
    }
}
