using NativePlugins.Interop;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.Native;

/// <summary>Exceptions never cross the boundary (rule P7), in both modes, with the throwing fixture plugin.</summary>
public sealed unsafe class ExceptionBoundaryTests
{
    private const string Throwing = "org.nativeplugins.cs.test.throwing";

    public static TheoryData<string> Modes => new() { "aot", "hosted" };

    private static (RawLibrary Library, NativeTestHost Host) Open(string mode)
    {
        var host = new NativeTestHost();
        return (RawLibrary.Open(BuildLayout.Fixture(mode, "libnp_cs_throwing.so"), host), host);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void S1_an_exception_in_process_is_NP_ERR_PANIC_with_its_message_and_poisons_the_instance(string mode)
    {
        var (library, host) = Open(mode);
        using RawInstance instance = library.Create(Throwing, "", host);
        using var input = NativeRecords.From("fine", "throw", "never seen");
        using var output = new NativeRecords();

        var (status, message) = instance.Process(input, output);

        Assert.Equal(NpAbi.NP_ERR_PANIC, status);
        Assert.Equal("unhandled System.InvalidOperationException: throwing plugin: triggered by record 1", message);
        Assert.Equal(["fine"], output.Strings());

        // Poisoned: every later call except destroy is NP_ERR_STATE, stats included.
        var (again, againMessage) = instance.Process(NativeRecords.From("fine"), output);
        Assert.Equal(NpAbi.NP_ERR_STATE, again);
        Assert.Contains("poisoned", againMessage);
        Assert.Contains("triggered by record 1", againMessage);
        Assert.Equal(NpAbi.NP_ERR_STATE, instance.Flush(output).Status);
        Assert.Equal(NpAbi.NP_ERR_STATE, instance.Stats().Status);

        // The full exception, stack trace included, went to the host's log.
        Assert.Contains(host.LogLines, l => l.Level == NpAbi.NP_LOG_ERROR && l.Message.Contains("InvalidOperationException")
                                            && l.Message.Contains("ThrowingPlugin.Process"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_PluginException_is_its_typed_status_with_detail_code_and_the_instance_stays_usable(string mode)
    {
        var (library, host) = Open(mode);
        using RawInstance instance = library.Create(Throwing, "reject=bad", host);
        using var input = NativeRecords.From("ok", "bad");
        using var output = new NativeRecords();
        var error = new ErrorBuffer();

        int status = instance.VTable->process(instance.Handle, input.Batch, output.Emitter, error.Pointer);

        Assert.Equal(NpAbi.NP_ERR_INPUT, status);
        Assert.Equal(42, error.Code);
        Assert.Contains("record 1 is rejected", error.ToString());
        Assert.Equal(["again"], instance.Run("again"));
        Assert.Equal(NpAbi.NP_OK, instance.Stats().Status);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void An_exception_in_the_constructor_fails_create_with_NP_ERR_PANIC(string mode)
    {
        var (library, host) = Open(mode);
        var (status, instance, message) = library.TryCreate(Throwing, "throw_in=create", host);

        Assert.Equal(NpAbi.NP_ERR_PANIC, status);
        Assert.Null(instance);
        Assert.Contains("thrown from the constructor", message);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void S2_an_exception_in_flush_poisons_and_one_in_dispose_is_logged_not_thrown(string mode)
    {
        var (library, host) = Open(mode);
        using (RawInstance flushing = library.Create(Throwing, "throw_in=flush", host))
        {
            using var output = new NativeRecords();
            using var input = NativeRecords.From("x");
            Assert.Equal(NpAbi.NP_OK, flushing.Process(input, output).Status); // open a stream: S4 skips an empty one
            var (status, message) = flushing.Flush(output);
            Assert.Equal(NpAbi.NP_ERR_PANIC, status);
            Assert.Contains("thrown from Flush", message);
            Assert.Equal(NpAbi.NP_ERR_STATE, flushing.Flush(output).Status);
        }

        RawInstance disposing = library.Create(Throwing, "throw_in=destroy", host);
        disposing.Dispose(); // must return normally
        Assert.Contains(host.LogLines, l => l.Level == NpAbi.NP_LOG_ERROR && l.Message.Contains("thrown from Dispose"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Error_messages_are_truncated_to_the_callers_buffer(string mode)
    {
        var (library, host) = Open(mode);
        using RawInstance instance = library.Create(Throwing, "reject=ü", host);
        using var input = NativeRecords.From("ü");
        using var output = new NativeRecords();
        var small = new ErrorBuffer(capacity: 7);

        int status = instance.VTable->process(instance.Handle, input.Batch, output.Emitter, small.Pointer);

        Assert.Equal(NpAbi.NP_ERR_INPUT, status);
        Assert.Equal(7ul, small.Length);
        Assert.Equal("record ", small.ToString()); // the UTF-8 boundary rule is unit-tested in ErrorReporterTests
    }
}
