using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Isolation.IsolatedHosts;

namespace NativePlugins.Host.Tests.Isolation;

/// <summary>
/// Shared record buffers (RecordBuffer.CreateShared; npw_protocol.h, "Shared record buffers"): a batch in one crosses
/// into a worker without a copy and an isolated call emits straight into one, with the same records, errors and
/// crash semantics as the copying path; disposed buffers leave no mapping in the worker; restricted workers are never
/// handed host memory; no mapping can be shrunk under the host.
/// </summary>
public class SharedBufferTests
{
    private static PluginHost TextHost(IsolationOptions? options = null)
    {
        var host = Isolated(options: options);
        host.Load(NativeArtifacts.CText);
        return host;
    }

    private static RecordBuffer Shared(params string[] records)
    {
        var b = RecordBuffer.CreateShared(16, 2); // tiny: the worker has to grow it
        foreach (var r in records) b.Append(r);
        return b;
    }

    /// <summary>The memfds of shared record buffers the worker has open (its /proc fd links).</summary>
    private static int WorkerRecordMemfds(int pid) =>
        Directory.GetFiles($"/proc/{pid}/fd").Count(f =>
        {
            try
            {
                return new FileInfo(f).LinkTarget?.Contains("memfd:nplug-records", StringComparison.Ordinal) == true;
            }
            catch (IOException)
            {
                return false;
            }
        });

    [Fact]
    public void An_isolated_pipeline_reads_and_writes_shared_buffers_in_place_with_the_in_process_output()
    {
        // Records big enough that every stage's output outgrows its first capacity, in the worker.
        var records = Enumerable.Range(0, 300).Select(i => $"{new string((char)('a' + i % 26), 50 + i * 7)}x{i}").ToArray();
        using var reference = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false });
        reference.Load(NativeArtifacts.CText);
        using var host = TextHost();
        PipelineStage[] stages = [new(Hosts.Upper, ""), new(Hosts.Grep, "pattern=X1")];
        using var expectedPipeline = reference.CreatePipeline(stages);
        using var plain = new RecordBuffer();
        foreach (var r in records) plain.Append(r);
        var expected = expectedPipeline.Process(plain).ToArrayList();
        Assert.NotEmpty(expected);

        using var pipeline = host.CreatePipeline(stages);
        using var input = RecordBuffer.CreateShared();
        foreach (var r in records) input.Append(r);
        Assert.True(input.IsShared);
        for (int round = 0; round < 3; round++)
            Assert.Equal(expected, pipeline.Process(input).ToArrayList());
        // The input buffer and the pipeline's output buffer are mapped in the worker: two memfds each.
        var backend = pipeline.Stages[0].IsolatedBackend!;
        Assert.Equal(4, backend.WorkerRegionsHeld);
        Assert.Equal(4, WorkerRecordMemfds(backend.WorkerPid));
        // The same pipeline over ordinary memory still copies, with the same records.
        Assert.Equal(expected, pipeline.Process(plain).ToArrayList());
    }

    [Fact]
    public void An_isolated_call_appends_to_a_shared_output_after_its_records_and_a_failure_leaves_them_as_they_were()
    {
        using var host = TextHost();
        using var upper = host.CreateTransform(Hosts.Upper, "validate=true");
        using var input = Shared("abc", "de");
        using var output = Shared("kept");
        upper.Process(input, output);
        Assert.Equal(["kept", "ABC", "DE"], output.ToStringList());

        input.Clear();
        input.Append("ok");
        input.Append([0xff, 0xfe]); // not UTF-8: upper refuses the batch
        Assert.ThrowsAny<PluginCallException>(() => upper.Process(input, output));
        Assert.Equal(["kept", "ABC", "DE"], output.ToStringList());

        // Many records into a tiny output: the worker grows both memfds, the host maps what they became.
        input.Clear();
        for (int i = 0; i < 2000; i++) input.Append($"record {i} {new string('z', i % 97)}");
        upper.Process(input, output);
        Assert.Equal(2003, output.Count);
        Assert.Equal("RECORD 1999 " + new string('Z', 1999 % 97), output.GetString(2002));
        Assert.Equal("kept", output.GetString(0));
    }

    [Fact]
    public void A_crash_while_emitting_into_a_shared_output_hands_the_batch_back_and_leaves_the_output_untouched()
    {
        using var host = Isolated();
        host.Load(Fixture("segv"));
        using var echo = host.CreateTransform(Segv);
        using var output = Shared("before");
        using var input = Shared("a", "b");
        echo.Process(input, output);
        Assert.Equal(["before", "a", "b"], output.ToStringList());

        input.Append("segv"); // the fixture echoes what comes before, then crashes
        var e = Assert.ThrowsAny<PluginCrashedException>(() => echo.Process(input, output));
        Assert.Equal(["a", "b", "segv"], e.UnprocessedInput.Select(r => Encoding.UTF8.GetString(r)));
        Assert.Equal(["before", "a", "b"], output.ToStringList());

        // The next call restarts the instance in a new worker, which is handed the buffers again.
        input.Clear();
        input.Append("c");
        echo.Process(input, output);
        Assert.Equal(["before", "a", "b", "c"], output.ToStringList());
    }

    [Fact]
    public void Disposed_shared_buffers_are_dropped_from_the_worker()
    {
        using var host = TextHost();
        using var upper = host.CreateTransform(Hosts.Upper);
        using var output = new RecordBuffer();
        for (int i = 0; i < 200; i++)
        {
            using var input = Shared("x");
            upper.Process(input, output);
        }
        upper.Process(RecordBatch.Empty, output); // one more request carries the last drops
        var backend = upper.IsolatedBackend!;
        Assert.Equal(0, backend.WorkerRegionsHeld);
        Assert.Equal(0, WorkerRecordMemfds(backend.WorkerPid));
        Assert.Equal(200, output.Count);
    }

    [Fact]
    public void A_restricted_worker_is_never_handed_host_memory_and_gives_the_same_records()
    {
        using var host = TextHost(Options() with { Restricted = true });
        using var pipeline = host.CreatePipeline([new(Hosts.Upper, ""), new(Hosts.Grep, "pattern=B")]);
        using var input = Shared("a", "b", "ab");
        Assert.Equal(["B", "AB"], pipeline.Process(input).ToArrayList().Select(r => Encoding.UTF8.GetString(r)));
        var backend = pipeline.Stages[0].IsolatedBackend!;
        Assert.Equal(0, backend.WorkerRegionsHeld);
        Assert.Equal(0, WorkerRecordMemfds(backend.WorkerPid));
    }

    [Fact]
    public void No_process_can_shrink_a_shared_buffer_under_the_hosts_mapping()
    {
        using var host = TextHost();
        using var upper = host.CreateTransform(Hosts.Upper);
        using var input = Shared("abc");
        using var output = Shared();
        upper.Process(input, output);
        int pid = upper.IsolatedBackend!.WorkerPid;
        var memfd = Directory.GetFiles($"/proc/{pid}/fd").First(f => new FileInfo(f).LinkTarget?.Contains("memfd:nplug-records") == true);
        using var file = new FileStream(memfd, FileMode.Open, FileAccess.ReadWrite);
        Assert.True(file.Length > 0);
        var refused = Assert.Throws<UnauthorizedAccessException>(() => file.SetLength(0)); // F_SEAL_SHRINK: EPERM
        Assert.Contains("Operation not permitted", refused.InnerException?.Message);
        upper.Process(input, output);
        Assert.Equal(["ABC", "ABC"], output.ToStringList());
    }

    [Fact]
    public unsafe void A_batch_view_is_bounded_by_the_length_it_was_made_with_not_by_offsets_changed_since()
    {
        var offsets = (ulong*)NativeMemory.Alloc(3 * sizeof(ulong));
        var data = (byte*)NativeMemory.Alloc(8);
        try
        {
            offsets[0] = 0;
            offsets[1] = 4;
            offsets[2] = 8;
            var batch = new RecordBatch(data, offsets, 2);
            offsets[2] = 1L << 40; // what another process writing the offsets could do after the view was made
            Assert.Equal(8, batch.DataLength);
            Assert.Equal(4, batch[0].Length);
            try
            {
                _ = batch[1];
                Assert.Fail("a record reaching past the view's length was returned");
            }
            catch (InvalidOperationException e)
            {
                Assert.Contains("corrupt batch", e.Message);
            }
        }
        finally
        {
            NativeMemory.Free(offsets);
            NativeMemory.Free(data);
        }
    }
}
