using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests;

public class PipelineTests
{
    [Fact]
    public void Stages_chain_and_equal_running_them_one_by_one()
    {
        using var host = WithCPlugins();
        string[] lines = ["warn: disk", "error: crème", "info: ok", "error: second"];
        using var pipeline = host.CreatePipeline([new(Grep, "pattern=error"), new(Upper)]);
        using var input = Buffer(lines);
        var result = pipeline.Process(input).ToStringList();
        result.AddRange(pipeline.Flush().ToStringList());

        var manual = Run(host, Upper, "", Run(host, Grep, "pattern=error", lines).ToArray());
        Assert.Equal(manual, result);
        Assert.Equal(["ERROR: CRÈME", "ERROR: SECOND"], result);

        Assert.Equal(4, pipeline.Stats[0].RecordsIn);
        Assert.Equal(2, pipeline.Stats[0].RecordsOut);
        Assert.Equal(2, pipeline.Stats[1].RecordsIn);
        Assert.Equal(2, pipeline.Stats[1].RecordsOut);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Stage_time_is_measured_only_when_asked_for(bool measureTime)
    {
        using var host = WithCPlugins();
        using var pipeline = host.CreatePipeline([new(Grep, "pattern=e"), new(Upper)], measureTime);
        using var input = Buffer(Enumerable.Range(0, 2_000).Select(i => $"line {i}").ToArray());
        for (int i = 0; i < 5; i++) pipeline.Process(input);
        pipeline.Flush();
        Assert.All(pipeline.Stats, s => Assert.Equal(6, s.Calls));
        Assert.All(pipeline.Stats, s => Assert.Equal(measureTime, s.Elapsed > TimeSpan.Zero));
    }

    [Fact]
    public unsafe void Stage_output_is_the_next_stage_input_without_a_copy()
    {
        using var host = WithCPlugins();
        using var grep = host.CreateTransform(Grep, "pattern=a");
        using var upper = host.CreateTransform(Upper);
        using var pipeline = new Pipeline([grep, upper]);
        using var input = Buffer("abc", "xyz", "bca");
        var output = pipeline.Process(input);
        Assert.Equal(["ABC", "BCA"], output.ToStringList());
        // The view returned is the last stage's own buffer (no copy out of the pipeline either).
        fixed (byte* first = output[0]) Assert.True(first != null);
        Assert.Equal(2, pipeline.Stats[1].RecordsIn);
    }

    [Fact]
    public void Flush_cascades_held_back_records_through_later_stages()
    {
        using var host = WithCPlugins();
        // counter holds everything back; its summary must still run through upper at flush.
        using var pipeline = host.CreatePipeline([new(Counter), new(Upper)]);
        using var input = Buffer("a", "b");
        Assert.Equal(0, pipeline.Process(input).Count);
        Assert.Equal(["RECORDS=2 BYTES=2"], pipeline.Flush().ToStringList());
        // The pipeline takes a new stream afterwards.
        using var again = Buffer("abc");
        pipeline.Process(again);
        Assert.Equal(["RECORDS=1 BYTES=3"], pipeline.Flush().ToStringList());
    }

    [Fact]
    public void Many_batches_stream_through()
    {
        using var host = WithCPlugins();
        using var pipeline = host.CreatePipeline([new(Grep, "pattern=7"), new(Counter, "per_value=false")]);
        using var batch = new RecordBuffer();
        int expected = 0;
        long bytes = 0;
        for (int b = 0; b < 50; b++)
        {
            batch.Clear();
            for (int i = 0; i < 200; i++)
            {
                var s = (b * 200 + i).ToString();
                batch.Append(s);
                if (s.Contains('7')) { expected++; bytes += s.Length; }
            }
            Assert.Equal(0, pipeline.Process(batch).Count);
        }
        Assert.Equal([$"records={expected} bytes={bytes}"], pipeline.Flush().ToStringList());
    }

    [Fact]
    public void A_failing_stage_raises_and_the_pipeline_stays_usable()
    {
        using var host = WithCPlugins();
        using var pipeline = host.CreatePipeline([new(Grep, "pattern=x"), new(Upper)]);
        using var bad = new RecordBuffer();
        bad.Append([0x78, 0xc3]); // contains 'x', truncated UTF-8: grep keeps it, upper rejects it
        var e = Assert.Throws<PluginCallException>(() => pipeline.Process(bad));
        Assert.Equal(Upper, e.PluginId);
        using var good = Buffer("xy");
        Assert.Equal(["XY"], pipeline.Process(good).ToStringList());
    }

    [Fact]
    public void Creating_a_pipeline_with_a_bad_stage_destroys_the_stages_already_created()
    {
        using var host = WithCPlugins();
        Assert.Throws<PluginCallException>(() => host.CreatePipeline([new(Upper), new(Grep, "")]));
        Assert.Equal(0, host.Allocations.LiveAllocations);
    }
}
