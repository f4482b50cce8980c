using System.Collections.Concurrent;
using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using NativePlugins.TestSupport;

namespace NativePlugins.Host.Tests.Reload;

/// <summary>Pipelines that own their stages move to the new version at a batch boundary: the old instance's
/// held-back record is flushed into the stream first, so no record is lost and none is processed twice.</summary>
[Collection(ReloadCollection.Name)]
public class PipelineReloadTests
{
    [Fact]
    public void A_pipeline_switches_between_two_batches_and_the_old_instances_held_back_record_is_not_lost()
    {
        using var f = new ReloadFixture();
        f.Host.Load(NativeArtifacts.CText);
        using var pipeline = f.Host.CreatePipeline([new PipelineStage(ReloadFixture.PluginId), new PipelineStage(Hosts.Upper)]);
        var old = pipeline.Stages[0];
        using var first = TestHosts.Buffer("a", "b");
        Assert.Equal(["V1:A"], pipeline.Process(first).ToStringList()); // "b" is held back by v1

        f.Install("v2");
        f.Host.Reload(f.Library);
        using var second = TestHosts.Buffer("c", "d");
        Assert.Equal(["V1:B", "V2:C"], pipeline.Process(second).ToStringList()); // v1 flushed, then v2 ran
        Assert.Equal(["V2:D"], pipeline.Flush().ToStringList());

        Assert.True(old.IsDisposed);
        Assert.Equal("2.0.0", pipeline.Stages[0].Plugin.Version);
        Assert.Same(pipeline.Stages[0], pipeline.Stats[0].Stage);
        Assert.Equal(4, pipeline.Stats[0].RecordsIn);
        Assert.Equal(4, pipeline.Stats[0].RecordsOut);
        Assert.Empty(f.Host.RetiredLibraries); // the pipeline held v1's last instance
    }

    [Fact]
    public void A_pipeline_made_of_the_callers_instances_does_not_switch()
    {
        using var f = new ReloadFixture();
        using var instance = f.Host.CreateTransform(ReloadFixture.PluginId);
        using var pipeline = new Pipeline([instance]);
        f.Install("v2");
        f.Host.Reload(f.Library);
        using var input = TestHosts.Buffer("a", "b");
        Assert.Equal(["v1:a"], pipeline.Process(input).ToStringList());
        Assert.Same(instance, pipeline.Stages[0]);
    }

    [Fact]
    public void Reloads_under_running_multi_threaded_pipelines_process_every_record_exactly_once()
    {
        const int Threads = 4, PerBatch = 7, Reloads = 12;
        using var f = new ReloadFixture();
        var seen = new ConcurrentDictionary<string, int>();
        var versions = new ConcurrentDictionary<string, int>();
        var sent = new long[Threads];
        var library = f.Library;
        var failures = StreamingReloads.Run(Threads, Reloads, (t, running, batchDone) =>
        {
            using var pipeline = f.Host.CreatePipeline([new PipelineStage(ReloadFixture.PluginId)]);
            using var input = new RecordBuffer();
            void Count(RecordBatch output)
            {
                foreach (var r in output.ToStringList())
                {
                    versions.AddOrUpdate(r[..3], 1, (_, n) => n + 1);
                    seen.AddOrUpdate(r[3..], 1, (_, n) => n + 1);
                }
            }
            for (int b = 0; running(); b++)
            {
                input.Clear();
                for (int i = 0; i < PerBatch; i++) input.Append($"{t}.{b}.{i}");
                Count(pipeline.Process(input));
                sent[t] += PerBatch;
                batchDone();
            }
            Count(pipeline.Flush());
        }, r =>
        {
            f.Install(r % 2 == 0 ? "v2" : "v1");
            library = f.Host.Reload(library);
        });

        Assert.Empty(failures);
        Assert.Equal(sent.Sum(), seen.Count);
        Assert.All(seen, kv => Assert.Equal(1, kv.Value));
        Assert.True(versions.Count == 2, $"both versions ran: {string.Join(", ", versions.Keys)}");
        Assert.Empty(f.Host.RetiredLibraries); // every old version drained and unloaded
        Assert.Empty(ReloadCollection.UnmappedShadowCopies());
    }
}
