using NativePlugins.Interop;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.Native;

/// <summary>Rows of the spec's table "What the SDKs guarantee on the plugin's behalf" (interop/README.md) that the C#
/// SDK gives, through real libraries in both modes with the throwing fixture plugin.</summary>
public sealed class SdkGuaranteeTests
{
    private const string Throwing = "org.nativeplugins.cs.test.throwing";

    public static TheoryData<string> Modes => new() { "aot", "hosted" };

    private static (RawLibrary Library, NativeTestHost Host) Open(string mode)
    {
        var host = new NativeTestHost();
        return (RawLibrary.Open(BuildLayout.Fixture(mode, "libnp_cs_throwing.so"), host), host);
    }

    private static int FlushesRun(NativeTestHost host) => host.LogLines.Count(l => l.Message.Contains("flush ran"));

    [Theory]
    [MemberData(nameof(Modes))]
    public void S4_flush_without_stream_is_a_no_op(string mode)
    {
        var (library, host) = Open(mode);
        using RawInstance instance = library.Create(Throwing, "throw_in=flush", host);
        using var output = new NativeRecords();
        Assert.Equal(NpAbi.NP_OK, instance.Flush(output).Status); // right after create: the throwing Flush never runs
        Assert.Equal(0, FlushesRun(host));
        using var input = NativeRecords.From("a");
        Assert.Equal(NpAbi.NP_OK, instance.Process(input, output).Status);
        Assert.Equal(NpAbi.NP_ERR_PANIC, instance.Flush(output).Status); // a stream was open: plugin code ran
        Assert.Equal(1, FlushesRun(host));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void S5_a_failed_flush_still_ends_the_stream(string mode)
    {
        var (library, host) = Open(mode);
        using RawInstance instance = library.Create(Throwing, "fail_in=flush", host);
        using var input = NativeRecords.From("a");
        using var output = new NativeRecords();
        Assert.Equal(NpAbi.NP_OK, instance.Process(input, output).Status);
        var (status, message) = instance.Flush(output);
        Assert.Equal(NpAbi.NP_ERR_PLUGIN, status);
        Assert.Contains("flush failed as configured", message);
        Assert.Equal(NpAbi.NP_OK, instance.Flush(output).Status); // the stream is over: nothing to flush, no plugin code
        Assert.Equal(1, FlushesRun(host));
        Assert.Equal(NpAbi.NP_OK, instance.Process(input, output).Status); // a new stream, the instance usable
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task S3_an_overlapping_call_on_a_single_instance_is_refused(string mode)
    {
        var (library, host) = Open(mode);
        using RawInstance instance = library.Create(Throwing, "", host);
        using var slow = NativeRecords.From("sleep");
        using var slowOutput = new NativeRecords();
        using var other = NativeRecords.From("b");
        using var otherOutput = new NativeRecords();
        using var started = new ManualResetEventSlim();
        var first = Task.Run(() =>
        {
            started.Set();
            return instance.Process(slow, slowOutput);
        });
        started.Wait();
        Thread.Sleep(100); // the first call is inside its 400 ms sleep
        var (status, message) = instance.Process(other, otherOutput);
        Assert.Equal(NpAbi.NP_ERR_STATE, status);
        Assert.Contains("rule H4", message);
        Assert.Equal(NpAbi.NP_OK, (await first).Status); // the running call was not disturbed
        Assert.Equal(NpAbi.NP_OK, instance.Process(other, otherOutput).Status); // nothing poisoned
    }

    [Fact]
    public void Input_errors_carry_the_record_index_plus_one()
    {
        Assert.Equal(4, PluginException.InputAt(3, "bad").DetailCode);
        Assert.Equal(NpAbi.NP_ERR_INPUT, PluginException.InputAt(3, "bad").Status);
        Assert.Equal(int.MaxValue, PluginException.InputAt(int.MaxValue - 1, "bad").DetailCode);
        Assert.Equal(0, PluginException.InputAt(int.MaxValue, "too far to say").DetailCode);
        Assert.Equal(0, PluginException.InputAt(-1, "not a record").DetailCode);
    }

    /// <summary>S7: a plugin failure without a message gets the one every SDK gives it.</summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public void S7_a_failure_without_a_message_gets_one(string mode)
    {
        var (library, host) = Open(mode);
        using RawInstance instance = library.Create(Throwing, "throw_kind=silent", host);
        using var input = NativeRecords.From("a", "throw");
        using var output = new NativeRecords();
        var (status, message) = instance.Process(input, output);
        Assert.Equal(NpAbi.NP_ERR_PLUGIN, status);
        Assert.Equal($"{Throwing}: process failed with NP_ERR_PLUGIN (the plugin gave no message)", message);
        using var next = NativeRecords.From("b");
        Assert.Equal(NpAbi.NP_OK, instance.Process(next, output).Status); // not a panic: the instance stays usable
    }

    /// <summary>S12: init/deinit are ref-counted and the SDK keeps no init table: the first table is overwritten
    /// with 0xFF right after its init returned (any call through it would crash), and the library still creates,
    /// processes, destroys and deinits through the other host's tables.</summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public unsafe void S12_init_is_ref_counted_and_the_sdk_keeps_no_init_table(string mode)
    {
        var first = new NativeTestHost("first");
        var library = RawLibrary.Open(BuildLayout.Fixture(mode, "libnp_cs_throwing.so"), first);
        var saved = *first.Table;
        new Span<byte>(first.Table, sizeof(np_host_t)).Fill(0xFF);
        try
        {
            var second = new NativeTestHost("second");
            var error = new ErrorBuffer();
            Assert.Equal(NpAbi.NP_OK, library.Library->init(second.Table, error.Pointer));
            using (RawInstance instance = library.Create(Throwing, "", second))
                Assert.Equal(["a", "b"], instance.Run("a", "b"));
            library.Library->deinit();
            library.Library->deinit(); // the one of `first`: its table is gone, and must not be touched
        }
        finally
        {
            *first.Table = saved;
        }
    }
}
