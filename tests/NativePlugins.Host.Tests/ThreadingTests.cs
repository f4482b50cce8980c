using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests;

/// <summary>Rule H4: the host serializes calls on NP_THREADING_SINGLE instances. The C SDK refuses overlapping
/// calls with NP_ERR_STATE and its counters are not atomic, so a missing host lock shows up as exceptions or as
/// lost counts.</summary>
public class ThreadingTests
{
    [Fact]
    public void A_single_threaded_instance_hammered_from_several_threads_sees_serial_calls()
    {
        using var host = WithCPlugins();
        using var counter = host.CreateTransform(Counter);
        Assert.Equal(PluginThreading.Single, counter.Plugin.Threading);
        const int threads = 8, batches = 300, perBatch = 50;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                using var input = new RecordBuffer();
                for (int i = 0; i < perBatch; i++) input.Append($"t{t}-{i}");
                using var output = new RecordBuffer();
                start.SignalAndWait();
                for (int b = 0; b < batches; b++) counter.Process(input, output);
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Empty(errors);
        Assert.True(counter.TryGetStats(out var stats));
        Assert.Equal((ulong)(threads * batches * perBatch), stats.RecordsIn);
        using var summary = new RecordBuffer();
        counter.Flush(summary);
        Assert.StartsWith($"records={threads * batches * perBatch} ", summary.GetString(0));
    }

    [Fact]
    public void Different_instances_run_concurrently_with_independent_results()
    {
        using var host = WithCPlugins();
        var results = new string[4];
        Parallel.For(0, 4, i =>
        {
            using var upper = host.CreateTransform(Upper);
            using var output = new RecordBuffer();
            using var input = new RecordBuffer();
            for (int k = 0; k < 200; k++)
            {
                input.Clear();
                input.Append($"instance {i} batch {k}");
                upper.Process(input, output);
            }
            results[i] = output.GetString(199);
        });
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"INSTANCE {i} BATCH 199"), results);
    }

    [Fact]
    public void Dispose_during_calls_on_other_threads_waits_for_them_and_later_calls_fail_cleanly()
    {
        using var host = WithCPlugins();
        var upper = host.CreateTransform(Upper);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var workers = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            using var input = Buffer(new string('x', 10_000));
            using var output = new RecordBuffer();
            for (int i = 0; i < 2_000; i++)
            {
                try
                {
                    output.Clear();
                    upper.Process(input, output);
                    Assert.Equal(10_000, output[0].Length);
                }
                catch (ObjectDisposedException)
                {
                    return; // the expected end
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                    return;
                }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        Thread.Sleep(5);
        upper.Dispose();
        workers.ForEach(w => w.Join());
        Assert.Empty(failures);
        Assert.True(upper.IsDisposed);
        Assert.Equal(0, host.Allocations.LiveAllocations);
    }
}
